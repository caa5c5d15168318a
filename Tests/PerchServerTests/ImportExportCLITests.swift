import Foundation
import PerchTestSupport
import Testing
import Crypto
import PerchCore
import PerchSQLite
import PerchStore

/// `perch import` and `perch export`, run as an operator would, against a real SQLite file.
@Suite("perch import / export", .serialized)
struct ImportExportCLITests {
    static let masterKey = String(repeating: "5e", count: 32)

    struct Fixture {
        var folder: URL
        var store: SQLiteStore
        var environment: [String: String]
        var appId: String

        init() async throws {
            folder = try CLITests.folder()
            environment = ["PERCH_DATABASE_URL": "sqlite:t.sqlite", "PERCH_MASTER_KEY": ImportExportCLITests.masterKey,
                           "PERCH_ALLOW_GATEWAY_HOSTS": "127.0.0.1"]
            store = try SQLiteStore(path: folder.appendingPathComponent("t.sqlite").path,
                                    vault: TokenVault(masterKey: try TokenVault.masterKey(from: ImportExportCLITests.masterKey)))
            appId = try await store.createApp(name: "Import", bundleId: nil, webOrigin: nil, now: Date()).app.id
            try await store.setAllowedEndpointHosts(appId: appId, hosts: ["127.0.0.1"])
        }

        func write(_ name: String, _ text: String) throws -> String {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
            return name
        }

        func run(_ arguments: [String]) throws -> CLITests.Run {
            try CLITests.run(arguments, environment: environment, in: folder)
        }

        func read(_ name: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }

        /// The JSON summary: the last line of the output that parses as an object.
        func summary(_ run: CLITests.Run) -> [String: JSONValue] {
            run.output.split(whereSeparator: \.isNewline).reversed().lazy.compactMap { JSONValue(jsonText: String($0))?.objectValue }.first ?? [:]
        }
    }

    @Test func aCSVWithMalformedRowsStoresEveryGoodRowAndReportsEveryBadOneByLine() async throws {
        let fixture = try await Fixture()
        // A real P-256 point for the Web Push row.
        let point = Base64URL.encode(P256.KeyAgreement.PrivateKey().publicKey.x963Representation)
        let auth = Base64URL.encode(Data(repeating: 7, count: 16))
        let csv = """
            installationId,platform,token,environment,endpoint,p256dh,auth,userId,consent,appVersion,locale,timezone,attributes
            phone-1,apns,\(Tokens.apns(1)),production,,,,user-1,granted,2.0.0,en-US,Europe/Berlin,"{""plan"":""pro""}"
            phone-2,apns,not-a-token,,,,,user-2,granted,,,,
            pixel-1,fcm,\(Tokens.fcm(1)),,,,,user-1,denied,1.0,de-DE,Europe/Berlin,
            short-row,fcm,\(Tokens.fcm(2))
            browser-1,webpush,,,https://127.0.0.1/push/abc,\(point),\(auth),,granted,,,,
            "multi
            line-id",fcm,\(Tokens.fcm(3)),,,,,,,,,,
            pixel-2,fcm,\(Tokens.fcm(4)),,,,,user-3,granted,,xx_YY_ZZ_bad_locale_that_is_far_too_long_to_be_bcp47,,
            pixel-3,fcm,"broken"quote,,,,,,,,,,
            pixel-4,carrier-pigeon,abc,,,,,,,,,,
            pixel-5,fcm,\(Tokens.fcm(5)),,,,,user-5,granted,,,Mars/Olympus_Mons,
            tablet-1,apns,\(Tokens.apns(2)),sandbox,,,,,,,,,

            """
        let file = try fixture.write("tokens.csv", csv)
        let run = try fixture.run(["import", "--app", fixture.appId, file, "--rejects", "bad.csv"])
        #expect(run.status == 1, "some rows were rejected: \(run.output)")
        let summary = fixture.summary(run)
        #expect(summary["stored"] == 4 && summary["created"] == 4 && summary["rejected"] == 7 && summary["rows"] == 11, "\(run.output)")
        #expect(!run.output.contains(Tokens.apns(1)) && !run.output.contains(Tokens.fcm(1)), "no token on the terminal")
        #expect(run.output.contains("importing"), "a progress line on stderr")

        var reader = CSVReader()
        let rejects = reader.feed(Array(try fixture.read("bad.csv").utf8)) + reader.finish()
        #expect(rejects.first?.fields == ["line", "field", "error", "record"])
        let byLine = Dictionary(rejects.dropFirst().map { (Int($0.fields[0]) ?? 0, $0.fields) }, uniquingKeysWith: { first, _ in first })
        #expect(byLine.keys.sorted() == [3, 5, 7, 9, 10, 11, 12], "every bad row, by the line it starts on: \(rejects.map(\.fields))")
        #expect(byLine[3]?[1] == "token" && byLine[3]?[2].contains("hexadecimal") == true)
        #expect(byLine[5]?[2].contains("has 3 fields") == true)
        #expect(byLine[7]?[1] == "installationId", "the multi-line id breaks the id rule")
        #expect(byLine[9]?[1] == "locale")
        #expect(byLine[10]?[2].contains("malformed CSV") == true)
        #expect(byLine[11]?[1] == "platform")
        #expect(byLine[12]?[1] == "timezone")
        #expect(rejects.count == 8, "a header and seven rejected rows")

        for (installation, user) in [("phone-1", "user-1"), ("pixel-1", "user-1"), ("browser-1", nil), ("tablet-1", nil)] as [(String, String?)] {
            let summary = try #require(try await fixture.store.installation(appId: fixture.appId, installationId: installation), "\(installation)")
            #expect(summary.tokenStatus == .active && summary.userId == user)
        }
        #expect(try await fixture.store.installation(appId: fixture.appId, installationId: "phone-1")?.consent?.status == .granted)
        #expect(try await fixture.store.installation(appId: fixture.appId, installationId: "pixel-1")?.consent?.status == .denied)
        #expect(try await fixture.store.installation(appId: fixture.appId, installationId: "tablet-1")?.environment == .sandbox)
    }

    @Test func exportThenImportRoundTripsEveryInstallationInBothFormats() async throws {
        let fixture = try await Fixture()
        let store = fixture.store
        for index in 1...7 {
            let destination: PushDestination = index % 2 == 0 ? .fcm(token: Tokens.fcm(100 + index)) : .apns(token: Tokens.apns(100 + index), environment: .production)
            _ = try await store.register(appId: fixture.appId, TokenRegistration(
                installationId: "device-\(index)", destination: destination,
                userId: index == 2 ? "=1+2|cmd" : index < 4 ? "user-\(index)" : nil,  // a user id a spreadsheet would run as a formula
                appVersion: "3.\(index)", locale: "fr-FR", timezone: "Europe/Paris", consent: index == 5 ? .denied : .granted,
                attributes: index == 1 ? ["tier": "gold"] : nil), now: Date())
        }
        // A dead token is left out unless asked for.
        let deadId = try #require(try await store.tokenId(appId: fixture.appId, destination: .apns(token: Tokens.apns(107), environment: .production)))
        _ = try await store.retireToken(appId: fixture.appId, tokenId: deadId, reason: "Unregistered", at: Date(), unlessSeenAfter: nil)

        let exported = try fixture.run(["export", "--app", fixture.appId, "--output", "all.csv"])
        #expect(exported.status == 0, "\(exported.output)")
        #expect(fixture.summary(exported)["exported"] == 6)
        #expect(!exported.output.contains(Tokens.apns(101)), "tokens go to the file only")
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.folder.appendingPathComponent("all.csv").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let csv = try fixture.read("all.csv")
        #expect(csv.hasPrefix(ImportMapping.perchColumns.joined(separator: ",") + "\n"))
        #expect(csv.contains(Tokens.apns(101)) && !csv.contains(Tokens.apns(107)))
        #expect(csv.contains(",'=1+2|cmd,") && !csv.contains(",=1+2|cmd,"), "formula cells are neutralised (OWASP CSV injection)")
        let withRetired = try fixture.run(["export", "--app", fixture.appId, "--output", "everything.ndjson", "--include-retired"])
        #expect(fixture.summary(withRetired)["exported"] == 7)

        let second = try await store.createApp(name: "Copy", bundleId: nil, webOrigin: nil, now: Date()).app.id
        let imported = try fixture.run(["import", "--app", second, "all.csv", "--quiet"])
        #expect(imported.status == 0 && fixture.summary(imported)["stored"] == 6 && fixture.summary(imported)["rejected"] == 0, "\(imported.output)")
        let copied = try fixture.run(["export", "--app", second, "--output", "copy.ndjson"])
        #expect(copied.status == 0)

        let third = try await store.createApp(name: "Copy of copy", bundleId: nil, webOrigin: nil, now: Date()).app.id
        let fromJSON = try fixture.run(["import", "--app", third, "copy.ndjson"])
        #expect(fromJSON.status == 0 && fixture.summary(fromJSON)["stored"] == 6, "\(fromJSON.output)")
        let retiredLines = try fixture.run(["import", "--app", third, "everything.ndjson", "--rejects", "retired.csv"])
        #expect(retiredLines.status == 1 && fixture.summary(retiredLines)["rejected"] == 1, "the invalid token is reported, not revived")

        for app in [second, third] {
            for index in 1...6 {
                let original = try #require(try await store.installation(appId: fixture.appId, installationId: "device-\(index)"))
                let copy = try #require(try await store.installation(appId: app, installationId: "device-\(index)"))
                #expect(copy.platform == original.platform && copy.userId == original.userId && copy.consent?.status == original.consent?.status)
                #expect(copy.appVersion == original.appVersion && copy.locale == original.locale && copy.timezone == original.timezone)
                #expect(copy.environment == original.environment && copy.tokenStatus == .active)
                let token = try #require(try await store.currentDestination(appId: app, installationId: "device-\(index)"))
                let source = try #require(try await store.currentDestination(appId: fixture.appId, installationId: "device-\(index)"))
                #expect(token.destination == source.destination, "the decrypted token survives the trip")
            }
            #expect(try await store.installation(appId: app, installationId: "device-7") == nil)
        }
    }

    @Test func oneSignalAndFirebaseExportsImportWithTheirOwnColumns() async throws {
        let fixture = try await Fixture()
        let onesignal = try fixture.write("onesignal.csv", """
            id,identifier,session_count,language,timezone,game_version,device_os,device_type,device_model,ad_id,tags,last_active,playtime,amount_spent,created_at,invalid_identifier,badge_count,external_user_id,notification_types,timezone_id
            0b2a6c2e-1111-4e0e-9a55-000000000001,\(Tokens.apns(201)),12,en,-18000,1.4.2,17.1,0,iPhone15,,"{""level"":""3""}",1700000000,300,0,1690000000,f,0,user-a,1,America/New_York
            0b2a6c2e-1111-4e0e-9a55-000000000002,\(Tokens.fcm(202)),3,de,3600,1.4.1,14,1,Pixel 8,,{},1700000000,10,0,1690000000,f,0,,-2,Europe/Berlin
            0b2a6c2e-1111-4e0e-9a55-000000000003,someone@example.com,1,en,0,,,11,,,{},1700000000,0,0,1690000000,f,0,,1,
            0b2a6c2e-1111-4e0e-9a55-000000000004,\(Tokens.apns(204)),1,en,0,,,0,,,{},1700000000,0,0,1690000000,t,0,,1,

            """)
        let run = try fixture.run(["import", "--app", fixture.appId, "--mapping", "onesignal", onesignal, "--quiet"])
        #expect(fixture.summary(run)["stored"] == 2 && fixture.summary(run)["rejected"] == 2, "\(run.output)")
        let ios = try #require(try await fixture.store.installation(appId: fixture.appId, installationId: "onesignal-0b2a6c2e-1111-4e0e-9a55-000000000001"))
        #expect(ios.userId == "user-a" && ios.consent?.status == .granted && ios.timezone == "America/New_York" && ios.appVersion == "1.4.2")
        let android = try #require(try await fixture.store.installation(appId: fixture.appId, installationId: "onesignal-0b2a6c2e-1111-4e0e-9a55-000000000002"))
        #expect(android.platform == .fcm && android.consent?.status == .denied)
        let rejects = try fixture.read("onesignal.csv.rejects.csv")
        #expect(rejects.contains("\n4,device_type,") && rejects.contains("\n5,invalid_identifier,"))

        let firebase = try fixture.write("fcm.ndjson", """
            {"__name__": "fcmTokens/user-x", "token": "\(Tokens.fcm(301))", "timestamp": "2024-05-01T10:00:00Z"}
            {"__name__": "fcmTokens/user-y", "token": "short", "timestamp": "2024-05-01T10:00:00Z"}
            not json

            """)
        let firebaseRun = try fixture.run(["import", "--app", fixture.appId, "--mapping", "firebase", firebase, "--quiet"])
        #expect(fixture.summary(firebaseRun)["stored"] == 1 && fixture.summary(firebaseRun)["rejected"] == 2, "\(firebaseRun.output)")
        let user = try #require(try await fixture.store.userProfile(appId: fixture.appId, userId: "user-x"))
        #expect(user.installations.count == 1 && user.installations.first?.platform == .fcm)
        let missing = try fixture.run(["import", "--app", fixture.appId, "--mapping", "onesignal", try fixture.write("x.csv", "token,uid\nabc,u\n")])
        #expect(missing.status != 0 && missing.output.contains("device_type"))
    }
}
