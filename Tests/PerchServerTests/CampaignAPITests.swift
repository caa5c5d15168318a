import Foundation
import PerchTestSupport
import Testing
import PerchCore
import PerchSimulator
@testable import PerchServer

/// Campaigns end to end: the real API, a real SQLite file or PostgreSQL database (every test runs on both), the
/// scheduler and a delivery worker, and the simulators over HTTP/2 + TLS on loopback.
@Suite("Campaigns")
struct CampaignAPITests {
    typealias Client = TestServer.Client
    typealias App = TestServer.TestApp

    static func connectAll(_ client: Client, _ app: App, _ endpoints: SimulatorEndpoints, apnsRate: Int? = nil) async throws {
        try await SendAPITests.connectAPNs(client, app, endpoints, messagesPerSecond: apnsRate)
        let fcm = try await client.call(.put, "/v1/apps/\(app.id)/gateways/fcm", key: app.secret, json: [
            "serviceAccount": try #require(JSONValue(jsonText: endpoints.fcmServiceAccountJSON)), "endpoint": .string(endpoints.fcmURL),
            "caCertificate": .string(endpoints.caCertificatePEM)])
        #expect(fcm.status == .ok, "\(fcm.json)")
        let webpush = try await client.call(.put, "/v1/apps/\(app.id)/gateways/webpush", key: app.secret, json: [
            "subject": "mailto:ops@example.com", "allowedEndpointHosts": ["127.0.0.1"], "caCertificate": .string(endpoints.caCertificatePEM)])
        #expect(webpush.status == .ok, "\(webpush.json)")
    }

    static func register(_ client: Client, _ app: App, _ body: [String: JSONValue]) async throws {
        let answer = try await client.call(.post, "/v1/tokens", key: app.publishable, json: app.proving(.object(body)))
        #expect(answer.status == .created, "\(answer.json)")
    }

    static func webPush(_ simulator: PushSimulator, _ app: App, installation: String, user: String?, consent: String = "granted") -> [String: JSONValue] {
        let subscription = simulator.newWebPushSubscription(applicationServerKey: Base64URL.decode(app.vapidPublicKey))
        var body: [String: JSONValue] = [
            "platform": "webpush", "installationId": .string(installation), "consent": .string(consent), "timezone": "Europe/Berlin",
            "subscription": ["endpoint": .string(subscription.endpoint), "keys": ["p256dh": .string(subscription.p256dh), "auth": .string(subscription.auth)]]]
        if let user { body["userId"] = .string(user) }
        return body
    }

    /// Polls the campaign until it reaches `status`.
    static func wait(_ client: Client, _ app: App, _ id: String, for status: String, seconds: Double = 60) async throws -> Answer {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let answer = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            if answer["status"]?.stringValue == status || Date() > deadline { return answer }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func count(_ answer: Answer, _ path: String...) -> Int {
        var value: JSONValue? = answer["counts"]
        for key in path { value = value?.objectValue?[key] }
        return Int(value?.numberValue ?? 0)
    }

    @Test(arguments: TestBackend.allCases) func aCampaignReachesTheRightTokensPersonalisesAndExplainsEveryTokenLeftOut(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAll(client, app, endpoints)
            // Twelve users with a phone and a browser; four named; two deny consent on the phone; two phones are dead.
            for user in 0..<12 {
                try await Self.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(user)), "environment": "production",
                                                      "installationId": .string("phone-\(user)"), "userId": .string("user-\(user)"),
                                                      "consent": user < 2 ? "denied" : "granted", "timezone": "UTC"])
                try await Self.register(client, app, Self.webPush(simulator, app, installation: "browser-\(user)", user: "user-\(user)"))
                if user < 4 {
                    _ = try await client.call(.put, "/v1/users/user-\(user)", key: app.secret, json: ["attributes": ["firstName": .string("Name\(user)")]])
                }
            }
            for dead in [10, 11] { simulator.markInvalid(platform: .apns, token: Tokens.apns(dead)) }
            // Eight anonymous Android installations.
            for index in 0..<8 {
                try await Self.register(client, app, ["platform": "fcm", "token": .string(Tokens.fcm(index)), "installationId": .string("android-\(index)"),
                                                      "consent": "granted"])
            }
            let segment = try await client.call(.post, "/v1/segments", key: app.secret, json: ["name": "Everyone recent", "filter": "lastSeenAt within 30d"])
            #expect(segment.status == .created, "\(segment.json)")
            let segmentId = try #require(segment["id"]?.stringValue)
            let preview = try await client.call(.get, "/v1/segments/\(segmentId)/preview?sample=5", key: app.secret)
            #expect(preview["count"] == 32 && preview["sample"]?.arrayValue?.count == 5)

            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Winter sale", "audience": ["segmentId": .string(segmentId)],
                "message": ["title": "Hi {{user.firstName | default: \"there\"}}", "body": "Winter sale starts now"],
                "variants": [["name": "A", "weight": 1], ["name": "B", "weight": 1, "message": ["title": "Hey {{user.firstName | default: \"you\"}}", "body": "40% off"]]],
                "holdoutPercent": 20, "devicePolicy": "latestPerPlatform", "frequencyCap": ["limit": 1, "windowSeconds": 86400]])
            #expect(created.status == .created, "\(created.json)")
            let id = try #require(created["id"]?.stringValue)
            #expect(created["status"] == "draft")
            let started = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            #expect(started.status == .accepted)
            let done = try await Self.wait(client, app, id, for: "completed")
            #expect(done["status"] == "completed", "\(done.json)")

            // The expected fate of every token, from the rules themselves.
            var expectSent = 0, expectHoldout = 0
            for user in 0..<12 {
                let heldOut = Assignment.isHeldOut(campaignId: id, person: "user:user-\(user)", holdoutPercent: 20)
                if heldOut { expectHoldout += 2; continue }
                expectSent += (user < 2 || user >= 10) ? 1 : 2
            }
            for index in 0..<8 {
                if Assignment.isHeldOut(campaignId: id, person: "installation:android-\(index)", holdoutPercent: 20) { expectHoldout += 1 } else { expectSent += 1 }
            }
            let deadSent = [10, 11].filter { !Assignment.isHeldOut(campaignId: id, person: "user:user-\($0)", holdoutPercent: 20) }.count
            let deniedLeftOut = [0, 1].filter { !Assignment.isHeldOut(campaignId: id, person: "user:user-\($0)", holdoutPercent: 20) }.count
            #expect(Self.count(done, "tokens") == 32)
            #expect(Self.count(done, "accepted") == expectSent)
            #expect(Self.count(done, "retired") == deadSent)
            #expect(Self.count(done, "attempted") == expectSent + deadSent)
            #expect(Self.count(done, "suppressedByReason", "holdout") == expectHoldout)
            #expect(Self.count(done, "suppressedByReason", "consent_denied") == deniedLeftOut)
            let accepted = [Platform.apns, .fcm, .webpush].map { simulator.counters(platform: $0).accepted }.reduce(0, +)
            #expect(accepted == expectSent, "the simulators got exactly the accepted messages")

            // Personalisation: named users see their name, others the default.
            let texts = simulator.received(platform: .apns).map { String(decoding: $0.body, as: UTF8.self) }
                + simulator.received(platform: .webpush).compactMap(\.text)
            // Each named user (at least their browser) sees their name exactly when the holdout let them through.
            for user in 0..<4 {
                let heldOut = Assignment.isHeldOut(campaignId: id, person: "user:user-\(user)", holdoutPercent: 20)
                #expect(texts.contains { $0.contains("Name\(user)") } == !heldOut, "user-\(user) held out: \(heldOut)")
            }
            #expect(texts.contains { $0.contains("Hi there") || $0.contains("Hey you") })
            #expect(!texts.contains { $0.contains("{{") })

            // Prometheus: outcomes by platform and reason, gateway latency, tokens by status.
            guard case .string(let metrics) = try await client.call(.get, "/metrics", key: TestServer.metricsToken).json else { Issue.record("metrics not text"); return }
            if deadSent > 0 {
                #expect(metrics.contains("perch_deliveries_total{platform=\"apns\",outcome=\"retired\",reason=\"Unregistered\"} \(deadSent)"), "\(metrics)")
                #expect(metrics.contains("perch_tokens{app=\"\(app.id)\",platform=\"apns\",status=\"invalid\"} \(deadSent)"))
            }
            #expect(metrics.contains("perch_deliveries_total{platform=\"webpush\",outcome=\"accepted\",reason=\"\"}"))
            #expect(metrics.contains("perch_gateway_request_duration_seconds_count{platform=\"fcm\"}"))
            #expect(metrics.contains("perch_tokens{app=\"\(app.id)\",platform=\"fcm\",status=\"active\"} 8"))

            // explain answers for every installation.
            for user in 0..<12 {
                let heldOut = Assignment.isHeldOut(campaignId: id, person: "user:user-\(user)", holdoutPercent: 20)
                let explained = try await client.call(.get, "/v1/campaigns/\(id)/explain?installationId=phone-\(user)", key: app.secret)
                let decision = try #require(explained["decisions"]?.arrayValue?.first?.objectValue, "\(explained.json)")
                if heldOut {
                    #expect(explained["verdict"] == "left_out" && decision["reason"] == "holdout")
                } else if user < 2 {
                    #expect(explained["verdict"] == "left_out" && decision["reason"] == "consent_denied")
                } else if user >= 10 {
                    #expect(explained["verdict"] == "failed" && decision["outcome"] == "retired" && decision["reason"] == "Unregistered")
                    #expect(try await client.call(.get, "/v1/installations/phone-\(user)", key: app.secret)["status"] == "invalid")
                } else {
                    #expect(explained["verdict"] == "sent" && decision["variant"] != nil)
                }
            }

            // A second campaign the same day: the cap of one per day holds for everyone who got the first.
            let second = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Follow-up", "audience": ["filter": "known"], "message": ["title": "Again", "body": "x"],
                "frequencyCap": [["limit": 1, "windowSeconds": 86400]]])
            let secondId = try #require(second["id"]?.stringValue)
            _ = try await client.call(.post, "/v1/campaigns/\(secondId)/send", key: app.secret)
            let secondDone = try await Self.wait(client, app, secondId, for: "completed")
            let cappedUsers = (2..<12).filter { !Assignment.isHeldOut(campaignId: id, person: "user:user-\($0)", holdoutPercent: 20) }
            #expect(Self.count(secondDone, "suppressedByReason", "frequency_cap_user") >= cappedUsers.filter { $0 < 10 }.count * 2)
        }
    }

    @Test(arguments: TestBackend.allCases) func cancelStopsTheRemainingWorkWithinSeconds(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAll(client, app, endpoints, apnsRate: 20)
            for index in 0..<100 {
                try await Self.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(1000 + index)), "environment": "production",
                                                      "installationId": .string("p\(index)"), "consent": "granted"])
            }
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Throttled", "audience": ["filter": "platform == \"apns\""], "message": ["title": "t", "body": "b"]])
            let id = try #require(created["id"]?.stringValue)
            _ = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            // Cancel once sending is under way (throttled to 20/s, most of the 100 are still to go).
            let started = Date().addingTimeInterval(60)
            while simulator.counters(platform: .apns).accepted < 5, Date() < started { try await Task.sleep(for: .milliseconds(20)) }
            let cancelled = try await client.call(.post, "/v1/campaigns/\(id)/cancel", key: app.secret)
            #expect(cancelled["status"] == "cancelled")
            // Settled when no row is left to send or in flight: from then on nothing can be sent, so what the simulator
            // counted is final and must be exactly what the campaign recorded as accepted.
            var after = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            let settling = Date().addingTimeInterval(60)
            while Self.count(after, "queued") > 0, Date() < settling {
                try await Task.sleep(for: .milliseconds(50))
                after = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            }
            let settled = simulator.counters(platform: .apns).accepted
            #expect(settled == Self.count(after, "accepted"), "nothing is sent beyond the in-flight batch, which is recorded")
            #expect(settled > 0 && settled < 100, "throttled to 20/s, the cancel stopped most of the 100; got \(settled)")
            #expect(Self.count(after, "queued") == 0)
            #expect(Self.count(after, "suppressedByReason", "cancelled") + Self.count(after, "accepted") == 100)
            let again = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            #expect(again.status == .conflict)
        }
    }

    @Test(arguments: TestBackend.allCases) func refusedCredentialsPauseTheAppsSendsUntilTheyAreFixed(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints, keyId: "WRONGKEY01")
            for index in 0..<5 {
                try await Self.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(2000 + index)), "environment": "production",
                                                      "installationId": .string("p\(index)"), "consent": "granted"])
            }
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Paused", "audience": ["filter": "platform == \"apns\""], "message": ["title": "t", "body": "b"]])
            let id = try #require(created["id"]?.stringValue)
            _ = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            var status = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            let deadline = Date().addingTimeInterval(30)
            while status["pausedGateways"] == nil, Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
                status = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            }
            let pause = try #require(status["pausedGateways"]?.arrayValue?.first?.objectValue, "\(status.json)")
            #expect(pause["platform"] == "apns" && pause["reason"] == "InvalidProviderToken")
            #expect(status["status"] == "running" && Self.count(status, "accepted") == 0 && Self.count(status, "queued") == 5)
            #expect(try await client.call(.get, "/v1/installations/p0", key: app.secret)["status"] == "active", "no token is touched")

            try await SendAPITests.connectAPNs(client, app, endpoints)
            // The parked deliveries are due a minute later; the test's clock cannot wait that long, so the fix is
            // observed by the pause disappearing and a new send going out at once.
            let resumed = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            #expect(resumed["pausedGateways"] == nil)
            let send = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "p1"], "message": ["title": "t", "body": "b"]])
            #expect(send["results"]?.arrayValue?.first?.objectValue?["outcome"] == "accepted", "\(send.json)")
            #expect(simulator.counters(platform: .apns).accepted == 1)
        }
    }

    @Test(arguments: TestBackend.allCases) func aTriggeredCampaignWaitsItsDelayAndHonoursTheCancelCondition(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAll(client, app, endpoints)
            for name in ["shopper", "buyer"] {
                try await Self.register(client, app, ["platform": "fcm", "token": .string(Tokens.fcm(name.count * 7)), "installationId": .string(name),
                                                      "userId": .string("u-\(name)"), "consent": "granted"])
            }
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Cart abandonment", "message": ["title": "Forgot something?", "body": "Your cart is waiting"],
                "trigger": ["event": "cart_abandoned", "delaySeconds": 2, "cancelIf": "purchase"]])
            #expect(created.status == .created && created["kind"] == "triggered", "\(created.json)")
            let id = try #require(created["id"]?.stringValue)
            #expect(try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)["status"] == "running")
            let events = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [
                ["type": "cart_abandoned", "installationId": "shopper"], ["type": "cart_abandoned", "installationId": "buyer"],
                ["type": "purchase", "installationId": "buyer", "value": 30, "currency": "EUR"]]])
            #expect(events.status == .ok)
            #expect(simulator.counters(platform: .fcm).accepted == 0)
            // Both triggers decided (the shopper's sent, the buyer's cancelled): from then on nothing more can go out.
            let deadline = Date().addingTimeInterval(30)
            var shopper = try await client.call(.get, "/v1/campaigns/\(id)/explain?installationId=shopper", key: app.secret)
            var buyer = try await client.call(.get, "/v1/campaigns/\(id)/explain?installationId=buyer", key: app.secret)
            while simulator.counters(platform: .fcm).accepted == 0 || shopper["verdict"] != "sent" || buyer["verdict"] != "left_out",
                  Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
                shopper = try await client.call(.get, "/v1/campaigns/\(id)/explain?installationId=shopper", key: app.secret)
                buyer = try await client.call(.get, "/v1/campaigns/\(id)/explain?installationId=buyer", key: app.secret)
            }
            #expect(simulator.counters(platform: .fcm).accepted == 1, "only the shopper who did not buy")
            #expect(shopper["verdict"] == "sent")
            #expect(buyer["verdict"] == "left_out" && buyer["decisions"]?.arrayValue?.first?.objectValue?["reason"] == "cancel_condition", "\(buyer.json)")
            let status = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            #expect(status["status"] == "running", "a triggered campaign keeps listening")
        }
    }

    @Test(arguments: TestBackend.allCases) func eventsWithADeliveryIdAreAttributedAndHeldOutConversionsCounted(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAll(client, app, endpoints)
            for index in 0..<40 {
                try await Self.register(client, app, ["platform": "fcm", "token": .string(Tokens.fcm(100 + index)), "installationId": .string("a\(index)"),
                                                      "userId": .string("buyer-\(index)"), "consent": "granted"])
            }
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Lift", "audience": ["filter": "known"], "message": ["title": "t", "body": "b"], "holdoutPercent": 25])
            let id = try #require(created["id"]?.stringValue)
            _ = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            _ = try await Self.wait(client, app, id, for: "completed")
            // The client echoes the delivery id it found in the push data.
            let pushes = simulator.received(platform: .fcm)
            let deliveryIds = pushes.compactMap { push -> (String, String)? in
                guard let message = JSONValue(jsonText: String(decoding: push.body, as: UTF8.self))?.objectValue,
                      let data = message["data"]?.objectValue, let delivery = data["perchDeliveryId"]?.stringValue else { return nil }
                return (push.token, delivery)
            }
            #expect(deliveryIds.count == pushes.count && !pushes.isEmpty, "every push carries its delivery id")
            let heldOut = (0..<40).filter { Assignment.isHeldOut(campaignId: id, person: "user:buyer-\($0)", holdoutPercent: 25) }
            let treated = (0..<40).filter { !heldOut.contains($0) }
            var events: [JSONValue] = []
            for (offset, index) in treated.prefix(10).enumerated() {
                let delivery = try #require(deliveryIds.first { $0.0 == Tokens.fcm(100 + index) }?.1)
                events.append(["type": "received", "installationId": .string("a\(index)"), "deliveryId": .string(delivery)])
                events.append(["type": "opened", "installationId": .string("a\(index)"), "deliveryId": .string(delivery)])
                if offset < 4 { events.append(["type": "converted", "installationId": .string("a\(index)"), "deliveryId": .string(delivery), "value": 25, "currency": "EUR"]) }
            }
            if let someoneHeldOut = heldOut.first {
                events.append(["type": "converted", "installationId": .string("a\(someoneHeldOut)"), "value": 10, "currency": "EUR"])
            }
            let stored = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": .array(events)])
            #expect(stored["stored"] == .integer(events.count), "\(stored.json)")
            let status = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            #expect(Self.count(status, "received") == 10 && Self.count(status, "opened") == 10 && Self.count(status, "converted") == 4)
            #expect(status["counts"]?.objectValue?["revenue"]?.numberValue == 100)
            #expect(Self.count(status, "treatment", "people") == treated.count && Self.count(status, "treatment", "converted") == 4)
            #expect(Self.count(status, "holdout", "people") == heldOut.count && Self.count(status, "holdout", "converted") == (heldOut.isEmpty ? 0 : 1))
            let report = try await client.call(.get, "/v1/campaigns/\(id)/report", key: app.secret)
            let funnel = try #require(report["funnel"]?.objectValue, "\(report.json)")
            #expect(funnel["attempted"] == .integer(treated.count) && funnel["delivered"] == 10 && funnel["opened"] == 10 && funnel["converted"] == 4)
            #expect(funnel["revenuePerRecipient"]?.numberValue == 100 / Double(treated.count))
            let lift = try #require(report["lift"]?.objectValue)
            #expect(lift["treatmentPeople"] == .integer(treated.count) && lift["holdoutPeople"] == .integer(heldOut.count))
            #expect(lift["reading"]?.stringValue?.isEmpty == false)
            // By day: the days add up to the campaign (all of this happened today, or across one midnight).
            let days = try #require(report["byDay"]?.arrayValue, "\(report.json)")
            func total(_ path: String...) -> Int {
                days.reduce(0) { sum, day in sum + ((path.reduce(Optional(day)) { $0?.objectValue?[$1] })?.integerValue ?? 0) }
            }
            #expect((1...2).contains(days.count) && days.allSatisfy { $0.objectValue?["day"]?.stringValue?.hasSuffix("T00:00:00Z") == true }, "\(days)")
            #expect(total("tokens") == 40 && total("funnel", "attempted") == treated.count && total("funnel", "opened") == 10
                    && total("funnel", "converted") == 4 && total("treatmentConverters") == 4)

            // Exports for warehouses: every delivery row of the campaign, its events, and the tokens without their secrets.
            let csv = try #require(try await client.call(.get, "/v1/exports/deliveries?format=csv&campaignId=\(id)", key: app.secret).json.stringValue)
            let lines = csv.split(separator: "\n")
            #expect(lines.first == "id,campaignId,occurrence,tokenId,installationId,userId,platform,variant,state,outcome,reason,attempts,dueAt,acceptedAt,createdAt,updatedAt")
            #expect(lines.count == 41 && lines.dropFirst().filter { $0.contains(",holdout,") }.count == heldOut.count)
            let ndjson = try #require(try await client.call(.get, "/v1/exports/events?campaignId=\(id)", key: app.secret).json.stringValue)
            let exported = ndjson.split(separator: "\n").compactMap { JSONValue(jsonText: String($0))?.objectValue }
            #expect(exported.count == 24 && exported.allSatisfy { $0["campaignId"] == .string(id) }, "received, opened and converted, attributed")
            let tokens = try #require(try await client.call(.get, "/v1/exports/tokens?format=csv", key: app.secret).json.stringValue)
            #expect(tokens.split(separator: "\n").count == 41 && !tokens.contains(Tokens.fcm(100)), "no raw token leaves in an export")
            let bad = try await client.call(.get, "/v1/exports/tokens?format=xml", key: app.secret)
            #expect(bad.status == .badRequest && bad.errorField == "format")
        }
    }

    @Test(arguments: TestBackend.allCases) func badCampaignsAreRefusedUpFrontNamingTheField(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, _, _, app in
            func refused(_ body: JSONValue) async throws -> Answer { try await client.call(.post, "/v1/campaigns", key: app.secret, json: body) }
            let message: JSONValue = ["title": "t", "body": "b"]
            let cases: [(JSONValue, String)] = [
                (["name": "x", "audience": [:], "message": message], "audience"),
                (["name": "x", "audience": ["filter": "platform == \"apns\" and (", ], "message": message], "audience.filter"),
                (["name": "x", "audience": ["segmentId": "seg_missing"], "message": message], "audience.segmentId"),
                (["name": "x", "audience": ["filter": "known"], "message": ["title": "Hi {{user.firstName}}", "body": "b"]], "message"),
                (["name": "x", "audience": ["filter": "known"], "message": ["title": "t", "body": .string(String(repeating: "x", count: 5000))]], "message"),
                (["name": "x", "audience": ["filter": "known"], "message": message, "holdoutPercent": 95], "holdoutPercent"),
                (["name": "x", "audience": ["filter": "known"], "message": message, "variants": [["name": "A", "weight": 1]]], "variants"),
                (["name": "x", "audience": ["filter": "known"], "message": message, "quietHours": ["start": "25:00", "end": "07:00"]], "quietHours.start"),
                (["name": "x", "audience": ["filter": "known"], "message": message, "schedule": ["localTime": "9am"]], "schedule.localTime"),
                (["name": "x", "audience": ["filter": "known"], "message": message, "frequencyCap": ["limit": 0, "windowSeconds": 3600]], "frequencyCap[0].limit"),
                (["name": "x", "message": message, "trigger": ["event": "opened", "delaySeconds": 60]], "trigger.event"),
            ]
            for (body, field) in cases {
                let answer = try await refused(body)
                #expect(answer.status == .badRequest || answer.status == .notFound, "\(field): \(answer.json)")
                #expect(answer.errorField == field, "\(answer.json)")
            }
            let filterError = try await refused(["name": "x", "audience": ["filter": "platform = \"apns\""], "message": message])
            #expect(filterError["error"]?.objectValue?["message"]?.stringValue?.contains("at 9") == true, "the position: \(filterError.json)")
            let list = try await client.call(.get, "/v1/campaigns", key: app.secret)
            #expect(list["campaigns"]?.arrayValue?.isEmpty == true, "nothing half-written")
        }
    }

    @Test(arguments: TestBackend.allCases) func aTransactionalSendToAUserFollowsTheDevicePolicy(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAll(client, app, endpoints)
            try await Self.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(77)), "environment": "production",
                                                  "installationId": "old-phone", "userId": "ann", "consent": "granted"])
            try await Self.register(client, app, Self.webPush(simulator, app, installation: "laptop", user: "ann"))
            try await Self.register(client, app, Self.webPush(simulator, app, installation: "desktop", user: "ann"))
            let latest = try await client.call(.post, "/v1/send", key: app.secret, json: [
                "to": ["userId": "ann"], "message": ["title": "Receipt", "body": "Thanks"], "devicePolicy": "latest"])
            let results = try #require(latest["results"]?.arrayValue)
            #expect(results.filter { $0.objectValue?["outcome"] == "accepted" }.count == 1, "\(latest.json)")
            #expect(results.first { $0.objectValue?["outcome"] == "accepted" }?.objectValue?["installationId"] == "desktop")
            #expect(results.filter { $0.objectValue?["reason"]?.objectValue?["code"] == "device_policy" }.count == 2)
            let all = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["userId": "ann"], "message": ["title": "Receipt", "body": "Thanks"]])
            #expect(all["results"]?.arrayValue?.filter { $0.objectValue?["outcome"] == "accepted" }.count == 3)
            let noWait = try await client.call(.post, "/v1/send", key: app.secret, json: [
                "to": ["installationId": "laptop"], "message": ["title": "Later", "body": "x"], "wait": false])
            #expect(noWait.status == .accepted || noWait.status == .ok)
            #expect(noWait["sendId"]?.stringValue?.hasPrefix("snd_") == true)
        }
    }

    @Test(arguments: TestBackend.allCases) func aThrottledGatewayIsRetriedNoEarlierThanItsRetryAfter(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAll(client, app, endpoints)
            try await Self.register(client, app, ["platform": "fcm", "token": .string(Tokens.fcm(900)), "installationId": "busy", "consent": "granted"])
            simulator.inject(.status(503, reason: "UNAVAILABLE", retryAfter: 2), platform: .fcm, count: 1)
            let started = Date()
            let sent = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "busy"], "message": ["title": "t", "body": "b"]])
            let result = try #require(sent["results"]?.arrayValue?.first?.objectValue, "\(sent.json)")
            #expect(result["outcome"] == "accepted" && sent["complete"] == true, "\(sent.json)")
            #expect(Date().timeIntervalSince(started) >= 2, "not before Retry-After")
            #expect(simulator.counters(platform: .fcm).faults == 1 && simulator.counters(platform: .fcm).accepted == 1)
            let rows = try await client.call(.get, "/v1/campaigns/\(try #require(sent["sendId"]?.stringValue))/explain?installationId=busy", key: app.secret)
            #expect(rows["decisions"]?.arrayValue?.first?.objectValue?["attempts"] == 2)
        }
    }
}
