import Foundation
import Testing
@testable import PerchCore

@Suite("Audience filter language")
struct AudienceFilterParsingTests {
    @Test func parsesTheDocumentedForms() throws {
        let filter = try AudienceFilter.parse(#"platform == "apns" and appVersion >= "2.3" and user.plan in ["pro", "team"]"#)
        #expect(filter == .and(.and(.compare(.platform, .equal, .string("apns")), .compare(.appVersion, .greaterOrEqual, .string("2.3"))),
                               .oneOf(.user("plan"), [.string("pro"), .string("team")])))
        #expect(try AudienceFilter.parse(#"lastSeenAt within 30d and not event("purchase") within 1h"#)
            == .and(.within(.lastSeenAt, .seconds(30 * 86_400)), .not(.event(name: "purchase", count: nil, window: .seconds(3600)))))
        #expect(try AudienceFilter.parse(#"known and (locale == "de-DE" or timezone == "Europe/Berlin")"#)
            == .and(.known(true), .or(.compare(.locale, .equal, .string("de-DE")), .compare(.timezone, .equal, .string("Europe/Berlin")))))
        #expect(try AudienceFilter.parse(#"event("opened") count >= 3 within 30d"#)
            == .event(name: "opened", count: .init(.greaterOrEqual, 3), window: .seconds(30 * 86_400)))
        #expect(try AudienceFilter.parse(#"createdAt before "2026-01-01T00:00:00Z" or lastOpenedAt before 2w"#)
            == .or(.before(.createdAt, .instant(Date(timeIntervalSince1970: 1_767_225_600))), .before(.lastOpenedAt, .ago(.seconds(14 * 86_400)))))
        #expect(try AudienceFilter.parse("anonymous and user.age > 30 and user.beta == true and not status == \"stale\"")
            == .and(.and(.and(.known(false), .compare(.user("age"), .greater, .number(30))), .compare(.user("beta"), .equal, .bool(true))),
                    .not(.compare(.status, .equal, .string("stale")))))
    }

    @Test("errors point at the position", arguments: [
        (#"platform = "apns""#, 9),
        (#"platform == "apns" and"#, 22),
        (#"colour == "red""#, 0),
        (#"lastSeenAt within 30"#, 18),
        (#"event("opened") within"#, 22),
        (#"(platform == "fcm""#, 18),
        (#"appVersion >= "latest""#, 22),
        (#"platform == "apns" extra"#, 19),
        (#"user.plan == "pro"#, 13),
        ("platform == \"apns\" & locale == \"en\"", 19),
    ])
    func errorsPointAtThePosition(text: String, position: Int) {
        let error = #expect(throws: FilterSyntaxError.self) { try AudienceFilter.parse(text) }
        #expect(error?.position == position, "\(error?.description ?? "")")
    }

    @Test func semanticVersionsOrderAsPeopleMean() throws {
        func v(_ text: String) throws -> SemanticVersion { try #require(SemanticVersion(text)) }
        #expect(try v("1.10.0") > v("1.9.2"))
        #expect(try v("2.0") == v("2.0.0"))
        #expect(try v("3.0.0-beta.2") < v("3.0.0"))
        #expect(try v("3.0.0-beta.2") < v("3.0.0-beta.10"))
        #expect(try v("3.0.0-alpha") < v("3.0.0-beta"))
        #expect(try v("1.0.0+build.7") == v("1.0.0"))
        #expect(SemanticVersion("one.two") == nil && SemanticVersion("") == nil && SemanticVersion("1..2") == nil)
        let ordered = try ["0.9", "1.0.0-rc.1", "1.0", "1.0.1", "1.2", "1.10", "2.0.0-alpha", "2"].map(v)
        #expect(ordered == ordered.sorted())
        #expect(ordered.map(\.sortKey) == ordered.map(\.sortKey).sorted(), "the SQL sort key orders like the versions")
    }
}
