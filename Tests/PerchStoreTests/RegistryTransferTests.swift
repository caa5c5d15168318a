import Foundation
import GRDB
import PerchCore
import PerchTestSupport
import PerchPostgres
import PerchTransfer
import Synchronization
import Testing
@testable import PerchSQLite
@testable import PerchStore

@Suite("perch migrate: a registry moves from SQLite to PostgreSQL")
struct RegistryTransferTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A registry with every kind of row: two apps, gateways, users with attributes, tokens in
    /// every status, consent history, registry log and events.
    func seed(_ store: any RegistryBackend) async throws -> (apps: [CreatedApp], users: [String]) {
        let first = try await store.createApp(name: "Shop", bundleId: "com.example.shop", webOrigin: nil, now: t0)
        let second = try await store.createApp(name: "Web", bundleId: nil, webOrigin: "https://example.com", now: t0 + 1)
        try await store.setAllowedEndpointHosts(appId: second.app.id, hosts: ["127.0.0.1", "push.example.com"])
        try await store.setGateway(appId: first.app.id, settings: GatewaySettings(
            platform: .apns, settings: ["privateKey": "-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----", "teamId": "ABCDE12345"],
            summary: ["teamId": "ABCDE12345", "topic": "com.example.shop"], updatedAt: t0))
        var users: [String] = []
        for index in 0..<180 {
            let app = index % 3 == 0 ? second.app.id : first.app.id
            let destination = switch index % 3 {
            case 0: Sample.webpush(index)
            case 1: Sample.apns(index, environment: index % 2 == 0 ? .sandbox : .production)
            default: Sample.fcm(index)
            }
            let user: String? = index % 4 == 0 ? nil : "user-\(index % 50)"
            if let user, !users.contains(user) { users.append(user) }
            var registration = Sample.registration(destination, installation: "inst-\(index)", user: user,
                                                   consent: index % 5 == 0 ? .denied : .granted, appVersion: "1.\(index % 7).0")
            registration.locale = ["en-US", "de-DE", "fr-FR"][index % 3]
            registration.attributes = index % 6 == 0 ? ["tier": .string("gold"), "score": .number(Double(index))] : nil
            let seen = t0 + Double(index) * 3600
            _ = try await store.register(appId: app, registration, now: seen)
            switch index % 9 {
            case 1: _ = try await store.register(appId: app, Sample.registration(Sample.apns(10_000 + index), installation: "inst-\(index)", user: user), now: seen + 60)
            case 2: _ = try await store.unregister(appId: app, installationId: "inst-\(index)", now: seen + 60)
            case 3: _ = try await store.setConsent(appId: app, installationId: "inst-\(index)", record: .init(status: .revoked, source: "settings", at: seen + 60))
            case 4: _ = try await store.identify(appId: app, installationId: "inst-\(index)", userId: "mover-\(index)", now: seen + 60)
            case 5: _ = try await store.logout(appId: app, installationId: "inst-\(index)", now: seen + 60)
            case 6:
                if let tokenId = try await store.tokenId(appId: app, destination: destination) {
                    try await store.retireToken(appId: app, tokenId: tokenId, reason: "Unregistered", at: seen + 60, unlessSeenAfter: nil)
                }
            default: break
            }
            _ = try await store.record(appId: app, events: [
                ClientEvent(type: .received, installationId: "inst-\(index)", occurredAt: seen + 120),
                ClientEvent(type: .opened, installationId: "inst-\(index)", campaignId: "cmp-\(index % 4)", occurredAt: seen + 180),
                ClientEvent(type: .converted, installationId: "inst-\(index)", value: 9.99, currency: "EUR", occurredAt: seen + 240,
                            properties: ["sku": .string("A-\(index)"), "qty": .number(2)]),
            ], now: seen + 300)
        }
        for user in users.prefix(20) {
            _ = try await store.setUserAttributes(appId: first.app.id, userId: user, attributes: ["plan": "pro", "age": .number(30), "beta": true], now: t0)
        }
        _ = try await store.runHygiene(policy: HygienePolicy(), now: t0 + 60 * 86_400, dryRun: false)
        return ([first, second], users)
    }

    /// Campaigns in every state of the queue: a segment, a sent campaign with accepted, retrying, failed, suppressed,
    /// leased and pending rows, a triggered campaign with a waiting send, and a paused gateway.
    func seedCampaigns(_ store: any PerchStore, app: String) async throws -> [String] {
        _ = try await store.createSegment(appId: app, name: "iPhones", filter: #"platform == "apns""#, now: t0)
        let definition = CampaignDefinition(name: "Spring", audience: .init(filter: #"platform == "apns""#),
                                            message: PushMessage(title: "Hello", body: "Spring is here"),
                                            variants: [.init(name: "a", weight: 1), .init(name: "b", weight: 1)], holdoutPercent: 10, ttlSeconds: 3600)
        let (campaign, planned) = try await Sample.startedCampaign(definition, app: app, on: store, at: t0)
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: planned, timeToLive: 3600, finished: true, now: t0)
        let claimed = try await store.claimDeliveries(limit: 6, leaseFor: .seconds(60), now: t0)
        let busy = DeliveryFailureReason(platform: .apns, status: 429, code: "TooManyRequests")
        let dead = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
        try await store.recordDeliveries(claimed.prefix(5).enumerated().map { index, delivery in
            switch index {
            case 0: DeliveryUpdate(id: delivery.id, campaignId: campaign.id, state: .retry(at: t0 + 600, attempt: 1, reason: busy.code),
                                   outcome: .retry, reason: busy)
            case 1: DeliveryUpdate(id: delivery.id, campaignId: campaign.id, state: .failed(reason: dead.code), outcome: .retired, reason: dead)
            default: DeliveryUpdate(id: delivery.id, campaignId: campaign.id, state: .accepted(gatewayMessageId: "apns-\(index)"),
                                    outcome: .accepted, reason: nil)
            }
        }, now: t0 + 1)
        _ = try await store.record(appId: app, events: [
            ClientEvent(type: .opened, installationId: claimed[2].installationId, deliveryId: claimed[2].id, occurredAt: t0 + 30),
        ], now: t0 + 30)

        let trigger = CampaignDefinition(name: "Cart", audience: .init(), message: PushMessage(title: "Your cart", body: "is waiting"),
                                         trigger: .init(event: "cart_abandoned", delaySeconds: 3600, cancelIf: "purchase"))
        let triggered = try await store.createCampaign(appId: app, definition: trigger, kind: .triggered, now: t0)
        _ = try await store.startCampaign(appId: app, id: triggered.id, startAt: t0, now: t0)
        _ = try await store.record(appId: app, events: [
            ClientEvent(type: .custom("cart_abandoned"), installationId: claimed[3].installationId, occurredAt: t0 + 40),
        ], now: t0 + 40)
        try await store.pauseGateway(appId: app, platform: .fcm, reason: "InvalidCredentials", now: t0 + 50)
        return [campaign.id, triggered.id]
    }

    @Test("every table arrives with equal counts and checksums, and the registry reads the same through the store")
    func moves() async throws {
        let source = try await StoreBackend.sqlite.open()
        let (apps, users) = try await seed(source.store)
        let campaignIds = try await seedCampaigns(source.store, app: apps[0].app.id)
        // A lease a running scheduler held: coordination state, which the move leaves behind.
        #expect(try await source.store.acquireLease("scheduler", holder: "old-process", for: .seconds(3600), now: t0))
        // A rotation in its grace period, a rotated identity secret and a signed-in dashboard session move as they are.
        let rotatedApp = apps[1].app.id
        let rotated = try #require(try await source.store.rotateKeys(appId: rotatedApp, graceSeconds: 3600, now: t0))
        _ = try #require(try await source.store.rotateIdentitySecret(appId: rotatedApp, graceSeconds: 3600, now: t0))
        _ = try await source.store.setIdentityVerification(appId: apps[0].app.id, .off)
        let session = DashboardSessionRecord(idDigest: String(repeating: "ab", count: 32), appId: rotatedApp, keyDigest: rotated.secretKey.digest,
                                             createdAt: t0, expiresAt: t0 + 3600)
        try await source.store.openDashboardSession(session, now: t0)
        let target = try await TestPostgres.open(database: try await TestPostgres.createDatabase(), vault: TestVault.vault)
        try await target.store.migrate()

        let progress = Mutex<[TransferProgress]>([])
        let report = try await RegistryTransfer(sourcePath: source.files[0], target: target.store, batchSize: 64)
            .run { update in progress.withLock { $0.append(update) } }

        #expect(report.verified)
        #expect(report.tables.map(\.name) == ["apps", "app_keys", "identity_secrets", "dashboard_sessions", "gateways", "users", "installations", "tokens", "consent_history", "registry_log", "events",
                                               "segments", "campaigns", "deliveries", "trigger_instances", "gateway_pauses", "idempotency_keys"])
        let rows = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0.targetRows) })
        #expect(rows["apps"] == 2 && rows["gateways"] == 1 && rows["installations"] == 180 && rows["events"] == 540 + 2)
        #expect(rows["segments"] == 1 && rows["campaigns"] == 2 && (rows["deliveries"] ?? 0) > 6 && rows["trigger_instances"] == 1
                && rows["gateway_pauses"] == 1)
        #expect(rows["tokens"] == 180 + 20)   // every installation's token and the refreshed ones' successors
        #expect((rows["consent_history"] ?? 0) > 180 && (rows["registry_log"] ?? 0) > 100)
        for table in report.tables {
            #expect(table.sourceChecksum == table.targetChecksum && table.sourceRows == table.targetRows, "\(table.name)")
        }
        let updates = progress.withLock { $0 }
        #expect(updates.last?.copied == report.totalRows && updates.last?.total == report.totalRows)
        #expect(zip(updates, updates.dropFirst()).allSatisfy { $0.copied <= $1.copied })
        #expect(updates.contains { $0.table == "events" && $0.tableCopied == 64 }, "events arrive in batches of 64")

        let before = source.store, after = target.store
        for created in apps {
            let app = created.app.id
            #expect(try await after.app(id: app) == before.app(id: app))
            #expect(try await after.principal(forKeyDigest: created.secretKey.digest, now: t0) == .app(id: app, kind: .secret))
            #expect(try await after.principal(forKeyDigest: created.publishableKey.digest, now: t0) == .app(id: app, kind: .publishable))
            #expect(try await after.identitySecrets(appId: app, now: t0 + 60) == before.identitySecrets(appId: app, now: t0 + 60))
            #expect(try await after.vapidPrivateKey(appId: app) == before.vapidPrivateKey(appId: app))
            #expect(try await after.gateway(appId: app, platform: .apns) == before.gateway(appId: app, platform: .apns))
            #expect(try await after.tokenHealth(appId: app, filter: .init()) == before.tokenHealth(appId: app, filter: .init()))
            for text in [#"platform == "apns" and consent == "granted""#, #"user.plan == "pro" or event("opened") within 30d"#, "known and appVersion >= \"1.3\""] {
                let filter = try AudienceFilter.parse(text)
                #expect(Set(try await after.tokenIds(appId: app, matching: filter, now: t0 + 10 * 86_400))
                        == Set(try await before.tokenIds(appId: app, matching: filter, now: t0 + 10 * 86_400)), "\(text)")
            }
            for user in users {
                let old = try await before.exportUser(appId: app, userId: user)
                let new = try await after.exportUser(appId: app, userId: user)
                #expect((old == nil) == (new == nil))
                guard let old, let new else { continue }
                #expect(Set(new.profile.installations) == Set(old.profile.installations) && new.profile.attributes == old.profile.attributes)
                #expect(Set(new.tokens.map { "\($0.tokenId) \($0.destination) \($0.status)" }) == Set(old.tokens.map { "\($0.tokenId) \($0.destination) \($0.status)" }))
                #expect(new.consentHistory == old.consentHistory)
                #expect(new.events.count == old.events.count && new.log.count == old.log.count)
            }
        }

        let graced = try await target.store.keyGrant(forDigest: apps[1].secretKey.digest, now: t0 + 60)
        #expect(graced == KeyGrant(principal: .app(id: rotatedApp, kind: .secret), expiresAt: t0 + 3600), "the old key, still in its grace period")
        #expect(try await target.store.keyGrant(forDigest: apps[1].secretKey.digest, now: t0 + 3601) == nil)
        #expect(try await target.store.keyGrant(forDigest: rotated.secretKey.digest, now: t0 + 3601)?.isCurrent == true)
        #expect(try await target.store.identitySecrets(appId: rotatedApp, now: t0 + 60).count == 2)
        #expect(try await target.store.isDashboardSessionOpen(idDigest: session.idDigest, now: t0 + 60))
        #expect(try await target.store.app(id: apps[0].app.id)?.identityVerification == .off)

        // Campaigns read the same, and the queue goes on where it was: the leased row and the retry come back when due.
        let campaignApp = apps[0].app.id
        let (full, sourceFull) = (target.store, source.store)
        #expect(try await full.segments(appId: campaignApp) == sourceFull.segments(appId: campaignApp))
        #expect(Set(try await full.campaigns(appId: campaignApp)) == Set(try await sourceFull.campaigns(appId: campaignApp)))
        #expect(try await full.gatewayPauses(appId: campaignApp) == sourceFull.gatewayPauses(appId: campaignApp))
        #expect(try await full.dueTriggers(now: t0 + 7200, limit: 10) == sourceFull.dueTriggers(now: t0 + 7200, limit: 10))
        for id in campaignIds {
            #expect(try await full.deliveries(appId: campaignApp, campaignId: id, installationId: nil)
                    == sourceFull.deliveries(appId: campaignApp, campaignId: id, installationId: nil))
            // Revenue is a sum of doubles, which the two databases may add in different orders: compared to the micro-unit.
            let moved = Self.roundingRevenue(try await full.campaignCounts(appId: campaignApp, campaignId: id, now: t0 + 100))
            let original = Self.roundingRevenue(try await sourceFull.campaignCounts(appId: campaignApp, campaignId: id, now: t0 + 100))
            #expect(moved == original, "\(moved) != \(original)")
        }
        let resumed = try await full.claimDeliveries(limit: 1000, leaseFor: .seconds(60), now: t0 + 600)
        let expected = try await sourceFull.deliveries(appId: campaignApp, campaignId: campaignIds[0], installationId: nil)
            .filter { ["pending", "retry", "sending"].contains($0.state) }
        #expect(Set(resumed.map(\.id)) == Set(expected.map(\.id)) && resumed.count >= 2)
        #expect(resumed.allSatisfy { $0.destination != nil }, "tokens open with the same master key")

        #expect(!report.tables.contains { RegistryTransfer.transientTables.contains($0.name) })
        #expect(try await full.acquireLease("scheduler", holder: "new-process", for: .seconds(60), now: t0 + 1), "no lease came along")

        // The moved registry keeps working: new rows continue after the copied sequences.
        let app = apps[0].app.id
        _ = try await after.register(appId: app, Sample.registration(Sample.fcm(99_999), installation: "after-move", user: "user-1"), now: t0 + 99)
        _ = try await after.setConsent(appId: app, installationId: "after-move", record: .init(status: .revoked, source: "x", at: t0 + 100))
        #expect(try await after.consentHistory(appId: app, installationId: "after-move").map(\.status) == [.granted, .revoked])
        #expect(try await after.record(appId: app, events: [ClientEvent(type: .opened, installationId: "after-move", occurredAt: t0)], now: t0).count == 1)

        // A second move into the now non-empty database is refused and changes nothing.
        await #expect(throws: RegistryTransfer.Failure.self) {
            try await RegistryTransfer(sourcePath: source.files[0], target: target.store).run()
        }
        #expect(try await after.tokenHealth(appId: app, filter: .init()).total == before.tokenHealth(appId: app, filter: .init()).total + 1)
    }

    static func roundingRevenue(_ counts: CampaignCounts) -> CampaignCounts {
        func round(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }
        var counts = counts
        counts.revenue = round(counts.revenue)
        counts.treatment.revenue = round(counts.treatment.revenue)
        counts.holdout.revenue = round(counts.holdout.revenue)
        counts.variants = counts.variants.mapValues { variant in
            var variant = variant
            variant.revenue = round(variant.revenue)
            return variant
        }
        return counts
    }

    @Test("a source with tables this version does not know is refused before anything is copied")
    func unknownTables() async throws {
        let source = try await StoreBackend.sqlite.open()
        _ = try await seed(source.store)
        guard let sqlite = source.sqlite else { Issue.record("no SQLite store"); return }
        try await sqlite.addTableForTest()
        let target = try await TestPostgres.open(database: try await TestPostgres.createDatabase(), vault: TestVault.vault)
        try await target.store.migrate()
        let error = await #expect(throws: RegistryTransfer.Failure.self) {
            try await RegistryTransfer(sourcePath: source.files[0], target: target.store).run()
        }
        #expect(error?.description.contains("future_things") == true)
        #expect(try await target.store.apps().isEmpty)
    }

    @Test("the checksum ignores row order and catches a changed value, a missing row and a moved value")
    func checksum() {
        let rows: [[TransferValue]] = [
            [.text("a"), .real(1.5), .null, .blob(Data([1, 2]))],
            [.text("b"), .real(2.5), .integer(7), .blob(Data())],
            [.text("c"), .real(3.5), .text(""), .null],
        ]
        func sum(_ rows: [[TransferValue]]) -> TableChecksum {
            var checksum = TableChecksum()
            for row in rows { checksum.add(row) }
            return checksum
        }
        #expect(sum(rows) == sum(rows.reversed()))
        #expect(sum(rows) != sum(Array(rows.dropLast())))
        var changed = rows
        changed[1][1] = .real(2.5000001)
        #expect(sum(rows) != sum(changed))
        var swapped = rows
        swapped[2] = [.text("c"), .real(3.5), .null, .text("")]
        #expect(sum(rows) != sum(swapped))
        #expect(TransferValue.json(#"{"b": 1, "a": [true, null]}"#) == TransferValue.json(#"{"a":[true,null],"b":1}"#))
    }

    @Test("the progress bar fills with the rows copied")
    func progressBar() {
        #expect(TransferProgress(table: "tokens", tableCopied: 5, tableTotal: 10, copied: 50, total: 200).bar(width: 20)
                == "[#####---------------]  25%  50/200  tokens 5/10")
        #expect(TransferProgress(table: "events", tableCopied: 0, tableTotal: 0, copied: 0, total: 0).bar(width: 4) == "[####] 100%  0/0  events 0/0")
    }
}

extension SQLiteStore {
    /// A table a later version might add, which this version's move does not know.
    func addTableForTest() async throws {
        try await pool.write { db in try db.execute(sql: "CREATE TABLE future_things (id TEXT PRIMARY KEY)") }
    }
}
