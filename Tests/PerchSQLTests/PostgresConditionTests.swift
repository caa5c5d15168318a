import Foundation
import Testing
import PerchCore
@testable import PerchSQL

@Suite("Audience filters compiled for PostgreSQL")
struct PostgresConditionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("placeholders are numbered from the first free parameter, in the order of the bindings")
    func numbering() throws {
        let filter = try AudienceFilter.parse(#"platform == "apns" and (locale == "de-DE" or event("opened") count >= 3 within 2d)"#)
        let condition = filter.postgresCondition(now: now, firstParameter: 2)
        #expect(condition.bindings == [.text("apns"), .text("de-DE"), .text("opened"), .real(1_800_000_000 - 172_800), .integer(3)])
        for parameter in 2...6 { #expect(condition.sql.contains("$\(parameter)::"), "missing $\(parameter)") }
        #expect(!condition.sql.contains("$1::") && !condition.sql.contains("$7") && !condition.sql.contains("?"))
    }

    @Test("text comparisons use the C collation, so ordering is by bytes as in SQLite")
    func collation() throws {
        let condition = try AudienceFilter.parse(#"timezone < "Europe" and appVersion >= "2.3""#).postgresCondition(now: now)
        #expect(condition.sql.contains(#"i.timezone COLLATE "C" < $1::text"#))
        #expect(condition.sql.contains(#"i.app_version_key COLLATE "C" >= $2::text"#))
        #expect(condition.bindings == [.text("Europe"), .text(SemanticVersion("2.3")!.sortKey)])
    }

    @Test("user attributes are typed jsonb reads guarded by CASE, and every leaf is NULL-proof")
    func attributes() throws {
        let condition = try AudienceFilter.parse(#"user.age > 30 and user.plan == "pro" and user.beta == true"#).postgresCondition(now: now)
        #expect(condition.sql.contains("CASE WHEN jsonb_typeof(u.attributes -> 'age') = 'number' THEN (u.attributes -> 'age')::double precision > $1::double precision"))
        #expect(condition.sql.contains("CASE WHEN jsonb_typeof(u.attributes -> 'plan') = 'string'"))
        #expect(condition.sql.contains("(u.attributes -> 'beta') = 'true'::jsonb"))
        #expect(condition.sql.components(separatedBy: "COALESCE((").count - 1 == 3)
    }

    @Test("an empty list selects nothing and needs no parameter")
    func emptyList() {
        let condition = AudienceFilter.oneOf(.locale, []).postgresCondition(now: now)
        #expect(condition.sql == "(false)" && condition.bindings.isEmpty)
    }
}
