import Foundation
import PerchTestSupport
import Testing
import PerchCore
import PerchSimulator
@testable import PerchServer

/// `message.localizations` through the real gateways to the simulators, on SQLite and on PostgreSQL: each installation
/// gets the localization its locale picks (exact tag, then language, then the default), templates work inside them,
/// the report splits by locale, and a bad localization is a 400 naming it.
@Suite("Localized messages")
struct LocalizationAPITests {
    func title(_ push: ReceivedPush) -> String? {
        JSONValue(jsonText: String(decoding: push.body, as: UTF8.self))?.objectValue?["aps"]?.objectValue?["alert"]?.objectValue?["title"]?.stringValue
    }

    @Test(arguments: TestBackend.allCases) func eachInstallationGetsItsLocaleAndTheReportSplitsByLocale(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            let people: [(installation: String, locale: String, seed: Int)] = [
                ("vienna", "de-AT", 1), ("berlin", "de_DE", 2), ("sao-paulo", "pt-BR", 3), ("lisbon", "pt-PT", 4), ("paris", "fr-FR", 5),
                ("nowhere", "", 6)]
            for person in people {
                var body: [String: JSONValue] = ["platform": "apns", "token": .string(Tokens.apns(person.seed)), "environment": "production",
                                                 "installationId": .string(person.installation), "consent": "granted",
                                                 "userId": .string("user-\(person.seed)")]
                if !person.locale.isEmpty { body["locale"] = .string(person.locale) }
                try await CampaignAPITests.register(client, app, body)
            }
            _ = try await client.call(.put, "/v1/users/user-2", key: app.secret, json: ["attributes": ["firstName": "Jonas"]])
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Shipped", "audience": ["installationIds": .array(people.map { .string($0.installation) })],
                "message": [
                    "title": "Your order shipped", "body": "Track it in the app", "badge": 1,
                    "localizations": [
                        "de": ["title": "Hallo {{user.firstName | default: \"du\"}}, deine Bestellung ist unterwegs"],
                        "pt-BR": ["title": "Seu pedido foi enviado", "body": "Acompanhe no app"],
                        "pt": ["title": "A sua encomenda foi enviada"],
                    ],
                ]])
            #expect(created.status == .created, "\(created.json)")
            let id = try #require(created["id"]?.stringValue)
            _ = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            _ = try await CampaignAPITests.wait(client, app, id, for: "completed")

            let pushes = simulator.received(platform: .apns)
            func push(_ seed: Int) throws -> ReceivedPush { try #require(pushes.first { $0.token == Tokens.apns(seed) }) }
            #expect(title(try push(1)) == "Hallo du, deine Bestellung ist unterwegs", "de-AT: the language")
            #expect(title(try push(2)) == "Hallo Jonas, deine Bestellung ist unterwegs", "de_DE: the language, with the template")
            #expect(title(try push(3)) == "Seu pedido foi enviado", "pt-BR: the exact tag")
            #expect(title(try push(4)) == "A sua encomenda foi enviada", "pt-PT: the language")
            #expect(title(try push(5)) == "Your order shipped", "fr-FR: the default")
            #expect(title(try push(6)) == "Your order shipped", "no locale: the default")
            let lisbon = try #require(JSONValue(jsonText: String(decoding: try push(4).body, as: UTF8.self))?.objectValue)
            #expect(lisbon["aps"]?.objectValue?["alert"]?.objectValue?["body"] == "Track it in the app", "the rest from the default")
            #expect(lisbon["aps"]?.objectValue?["badge"] == 1)

            // The Berlin phone opens it: the report counts the open under de.
            let berlin = try #require(JSONValue(jsonText: String(decoding: try push(2).body, as: UTF8.self))?.objectValue?["perchDeliveryId"]?.stringValue)
            let stored = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [
                ["type": "opened", "installationId": "berlin", "deliveryId": .string(berlin)]]])
            #expect(stored["stored"] == 1, "\(stored.json)")

            let report = try await client.call(.get, "/v1/campaigns/\(id)/report", key: app.secret)
            let byLocale = try #require(report["byLocale"]?.objectValue, "\(report.json)")
            #expect(Set(byLocale.keys) == ["de", "pt-BR", "pt", "default"])
            #expect(byLocale["de"]?.objectValue?["attempted"] == 2 && byLocale["de"]?.objectValue?["accepted"] == 2)
            #expect(byLocale["de"]?.objectValue?["opened"] == 1)
            #expect(byLocale["pt-BR"]?.objectValue?["accepted"] == 1 && byLocale["pt"]?.objectValue?["accepted"] == 1)
            #expect(byLocale["default"]?.objectValue?["accepted"] == 2 && byLocale["default"]?.objectValue?["opened"] == 0)
        }
    }

    @Test(arguments: TestBackend.allCases) func aBadLocalizationIsRefusedNamingItAndNothingIsSent(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(9)), "environment": "production",
                                                              "installationId": "phone", "consent": "granted", "locale": "de-DE"])
            let refusals: [(String, JSONValue)] = [
                ("message.localizations.de.title", ["de": ["title": 5]]),
                ("message.localizations.de.urgency", ["de": ["urgency": "asap"]]),
                ("message.localizations.german", ["german": ["title": "Hallo"]]),
                ("message.localizations.de", ["de": ["title": "Hallo {{user.firstName}}"]]),
                ("message.localizations.de.title", ["de": ["title": "Hallo {{user.firstName"]]),
                ("message.localizations.de.collapseId", ["de": ["collapseId": "not.a.topic"]]),
                ("message.localizations.de", ["de": ["body": .string(String(repeating: "x", count: 4500))]]),
            ]
            for (field, localizations) in refusals {
                let answer = try await client.call(.post, "/v1/send", key: app.secret, json: [
                    "to": ["installationId": "phone"], "message": ["title": "Hi", "body": "b", "localizations": localizations]])
                #expect(answer.status == .badRequest && answer.errorField == field, "\(field): \(answer.json)")
            }
            #expect(simulator.counters(platform: .apns).received == 0)

            let sent = try await client.call(.post, "/v1/send", key: app.secret, json: [
                "to": ["installationId": "phone"], "message": ["title": "Hi", "body": "b", "localizations": ["de": ["title": "Hallo"]]]])
            #expect(sent.status == .ok, "\(sent.json)")
            #expect(simulator.received(platform: .apns).last.flatMap(title) == "Hallo")
        }
    }
}
