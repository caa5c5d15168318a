import Foundation
import PerchTestSupport
import Testing
import PerchCore
@testable import PerchServer

/// `POST /v1/campaigns/{id}/dry-run` and `POST /v1/segments/preview`: numbers before a send, from the same planner and
/// the same audience reads as the send itself — so the test sends afterwards and compares. Both backends.
@Suite("Dry run and segment preview")
struct DryRunAPITests {
    typealias Client = TestServer.Client
    typealias App = TestServer.TestApp

    /// Ten users with a phone and a tablet (users 0 and 1 denied consent on the phone), and four anonymous tablets.
    static func population(_ client: Client, _ app: App) async throws {
        for user in 0..<10 {
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(user)), "environment": "production",
                                                              "installationId": .string("phone-\(user)"), "userId": .string("user-\(user)"),
                                                              "consent": user < 2 ? "denied" : "granted", "timezone": "UTC"])
            try await CampaignAPITests.register(client, app, ["platform": "fcm", "token": .string(Tokens.fcm(user)), "installationId": .string("tablet-\(user)"),
                                                              "userId": .string("user-\(user)"), "consent": "granted"])
        }
        for index in 0..<4 {
            try await CampaignAPITests.register(client, app, ["platform": "fcm", "token": .string(Tokens.fcm(100 + index)),
                                                              "installationId": .string("anon-\(index)"), "consent": "granted"])
        }
    }

    static func number(_ value: JSONValue?) -> Int { Int(value?.numberValue ?? -1) }

    static func numbers(_ value: JSONValue?) -> [String: Int] {
        (value?.objectValue ?? [:]).mapValues { number($0) }
    }

    @Test(arguments: TestBackend.allCases) func aDryRunCountsWhatTheSendThenDoesAndWritesNothing(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await CampaignAPITests.connectAll(client, app, endpoints)
            try await Self.population(client, app)
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Spring", "audience": ["filter": "lastSeenAt within 30d"], "message": ["title": "Spring", "body": "is here"],
                "variants": [["name": "Plain", "weight": 1], ["name": "Bold", "weight": 3, "message": ["title": "SPRING", "body": "is here!"]]],
                "holdoutPercent": 30])
            let id = try #require(created["id"]?.stringValue, "\(created.json)")

            let dry = try await client.call(.post, "/v1/campaigns/\(id)/dry-run", key: app.secret)
            #expect(dry.status == .ok, "\(dry.json)")
            // The expected fate of every token, from the rules themselves.
            var sent = 0, heldOut = 0, people = 0
            for user in 0..<10 {
                if Assignment.isHeldOut(campaignId: id, person: "user:user-\(user)", holdoutPercent: 30) { heldOut += 2; continue }
                sent += user < 2 ? 1 : 2
                people += 1
            }
            for index in 0..<4 {
                if Assignment.isHeldOut(campaignId: id, person: "installation:anon-\(index)", holdoutPercent: 30) { heldOut += 1 } else { sent += 1; people += 1 }
            }
            let deniedSent = [0, 1].filter { !Assignment.isHeldOut(campaignId: id, person: "user:user-\($0)", holdoutPercent: 30) }.count
            #expect(Self.number(dry["tokens"]) == sent && Self.number(dry["people"]) == people, "\(dry.json)")
            var leftOut = ["holdout": heldOut, "consent_denied": deniedSent].filter { $0.value > 0 }
            #expect(Self.numbers(dry["leftOut"]) == leftOut)
            let byPlatform = Self.numbers(dry["byPlatform"]), byVariant = Self.numbers(dry["byVariant"])
            #expect(byPlatform.values.reduce(0, +) == sent && byVariant.values.reduce(0, +) == sent)
            #expect(Set(byVariant.keys).isSubset(of: ["Plain", "Bold"]))

            // Nothing was sent or written: still a draft with no delivery rows.
            let draft = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            #expect(draft["status"] == "draft" && CampaignAPITests.count(draft, "tokens") == 0)
            #expect([Platform.apns, .fcm].allSatisfy { simulator.counters(platform: $0).accepted == 0 })

            // The send does what the dry run said, token for token.
            _ = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            let done = try await CampaignAPITests.wait(client, app, id, for: "completed")
            #expect(done["status"] == "completed", "\(done.json)")
            #expect(CampaignAPITests.count(done, "accepted") == sent)
            #expect(Self.numbers(done["counts"]?.objectValue?["suppressedByReason"]) == leftOut)
            let report = try await client.call(.get, "/v1/campaigns/\(id)/report", key: app.secret)
            for variant in report["variants"]?.arrayValue ?? [] {
                let name = try #require(variant.objectValue?["name"]?.stringValue)
                let attempted = Int(variant.objectValue?["funnel"]?.objectValue?["attempted"]?.numberValue ?? -1)
                #expect(attempted == (byVariant[name] ?? 0), "variant \(name)")
            }
            #expect(simulator.counters(platform: .apns).accepted == (byPlatform["apns"] ?? 0))
            #expect(simulator.counters(platform: .fcm).accepted == (byPlatform["fcm"] ?? 0))

            // Once sent, a dry run plans from the recorded start: the same numbers again (caps aside, none here).
            leftOut = Self.numbers(try await client.call(.post, "/v1/campaigns/\(id)/dry-run", key: app.secret)["leftOut"])
            #expect(leftOut == Self.numbers(done["counts"]?.objectValue?["suppressedByReason"]))
        }
    }

    @Test(arguments: TestBackend.allCases) func aDryRunIsRefusedWhereItCannotPlan(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp(), other = try await client.createApp("Other")
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Spring", "audience": ["userIds": ["nobody"]], "message": ["title": "Spring", "body": "is here"]])
            let id = try #require(created["id"]?.stringValue, "\(created.json)")
            let empty = try await client.call(.post, "/v1/campaigns/\(id)/dry-run", key: app.secret)
            #expect(empty.status == .ok && empty["tokens"] == 0 && empty["people"] == 0 && empty["leftOut"] == [:], "\(empty.json)")
            #expect(try await client.call(.post, "/v1/campaigns/cmp_unknown/dry-run", key: app.secret).status == .notFound)
            #expect(try await client.call(.post, "/v1/campaigns/\(id)/dry-run", key: other.secret).status == .notFound)
            #expect(try await client.call(.post, "/v1/campaigns/\(id)/dry-run", key: app.publishable).status == .forbidden)
            let triggered = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Cart", "message": ["title": "Your cart", "body": "is waiting"], "trigger": ["event": "cart_abandoned", "delaySeconds": 3600]])
            let triggeredId = try #require(triggered["id"]?.stringValue, "\(triggered.json)")
            let refused = try await client.call(.post, "/v1/campaigns/\(triggeredId)/dry-run", key: app.secret)
            #expect(refused.status == .conflict && refused.errorField == "campaignId", "\(refused.json)")
        }
    }

    @Test(arguments: TestBackend.allCases) func aPreviewCountsInstallationsAndPeopleOfAnUnsavedFilter(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            try await Self.population(client, app)
            let everyone = try await client.call(.post, "/v1/segments/preview", key: app.secret, json: ["filter": "lastSeenAt within 30d"])
            #expect(everyone.status == .ok && everyone["installations"] == 24 && everyone["people"] == 14, "\(everyone.json)")
            let phones = try await client.call(.post, "/v1/segments/preview", key: app.secret, json: ["filter": "platform == \"apns\""])
            #expect(phones["installations"] == 10 && phones["people"] == 10, "\(phones.json)")
            let anonymousTablets = try await client.call(.post, "/v1/segments/preview", key: app.secret,
                                                         json: ["filter": "platform == \"fcm\" and anonymous"])
            #expect(anonymousTablets["installations"] == 4 && anonymousTablets["people"] == 4, "\(anonymousTablets.json)")
            let knownPeople = try await client.call(.post, "/v1/segments/preview", key: app.secret, json: ["filter": "known"])
            #expect(knownPeople["installations"] == 20 && knownPeople["people"] == 10, "one person, two installations")

            let broken = try await client.call(.post, "/v1/segments/preview", key: app.secret, json: ["filter": "platform == "])
            #expect(broken.status == .badRequest && broken.errorField == "filter", "\(broken.json)")
            #expect(broken.json.objectValue?["error"]?.objectValue?["message"]?.stringValue?.contains("at ") == true, "the position is named")
            let missing = try await client.call(.post, "/v1/segments/preview", key: app.secret, json: ["name": "no filter"])
            #expect(missing.status == .badRequest && missing.errorField == "filter")
            #expect(try await client.call(.post, "/v1/segments/preview", key: app.publishable, json: ["filter": "lastSeenAt within 30d"]).status == .forbidden)
        }
    }

    @Test(arguments: TestBackend.allCases) func aSegmentIsEditedAndCampaignsNamingItReadTheNewFilter(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp(), other = try await client.createApp("Other")
            try await Self.population(client, app)
            let segment = try await client.call(.post, "/v1/segments", key: app.secret, json: ["name": "Phones", "filter": "platform == \"apns\""])
            let id = try #require(segment["id"]?.stringValue, "\(segment.json)")
            let campaign = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Spring", "audience": ["segmentId": .string(id)], "message": ["title": "Spring", "body": "is here"]])
            let campaignId = try #require(campaign["id"]?.stringValue, "\(campaign.json)")
            #expect(try await client.call(.post, "/v1/campaigns/\(campaignId)/dry-run", key: app.secret)["tokens"] == 8)

            let edited = try await client.call(.put, "/v1/segments/\(id)", key: app.secret, json: ["name": "Tablets", "filter": "platform == \"fcm\""])
            #expect(edited.status == .ok && edited["name"] == "Tablets" && edited["filter"] == "platform == \"fcm\"", "\(edited.json)")
            #expect(try await client.call(.get, "/v1/segments/\(id)", key: app.secret)["name"] == "Tablets")
            #expect(try await client.call(.post, "/v1/campaigns/\(campaignId)/dry-run", key: app.secret)["tokens"] == 14)

            let bad = try await client.call(.put, "/v1/segments/\(id)", key: app.secret, json: ["name": "Tablets", "filter": "platform =="])
            #expect(bad.status == .badRequest && bad.errorField == "filter")
            let nameless = try await client.call(.put, "/v1/segments/\(id)", key: app.secret, json: ["name": " ", "filter": "platform == \"fcm\""])
            #expect(nameless.status == .badRequest && nameless.errorField == "name")
            #expect(try await client.call(.get, "/v1/segments/\(id)", key: app.secret)["filter"] == "platform == \"fcm\"", "a refused edit writes nothing")
            #expect(try await client.call(.put, "/v1/segments/\(id)", key: other.secret, json: ["name": "x", "filter": "platform == \"fcm\""]).status == .notFound)
        }
    }
}
