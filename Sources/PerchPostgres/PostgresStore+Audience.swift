import Foundation
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: AudienceStore {
    static var audienceFrom: String { AudienceStatements.population }

    public func tokenIds(appId: String, matching filter: AudienceFilter, now: Date) async throws -> [String] {
        let condition = filter.postgresCondition(now: now, firstParameter: 2)
        return try await rows(Self.query("SELECT t.id \(Self.audienceFrom) WHERE t.app_id = $1 AND \(condition.sql)", appId: appId, condition))
            .map { try $0[0].decode(String.self) }
    }

    public func preview(appId: String, filter: AudienceFilter, now: Date, sampleSize: Int) async throws -> (count: Int, sample: [InstallationSummary]) {
        let condition = filter.postgresCondition(now: now, firstParameter: 2)
        let count = try await rows(Self.query("SELECT COUNT(*) \(Self.audienceFrom) WHERE t.app_id = $1 AND \(condition.sql)",
                                              appId: appId, condition))[0][0].decode(Int.self)
        let sample = try await rows(Self.query("""
            SELECT \(InstallationStatements.columns) \(Self.audienceFrom) WHERE t.app_id = $1 AND \(condition.sql)
            ORDER BY i.last_seen_at DESC LIMIT \(max(0, min(sampleSize, 100)))
            """, appId: appId, condition)).map { try $0.installationSummary() }
        return (count, sample)
    }

    /// `sql` with the app id bound to `$1` and the condition's values after it.
    static func query(_ sql: String, appId: String, _ condition: SQLCondition) -> PostgresQuery {
        var binds = PostgresBindings(capacity: condition.bindings.count + 1)
        binds.append(appId)
        for binding in condition.bindings {
            switch binding {
            case .text(let text): binds.append(text)
            case .real(let number): binds.append(number)
            case .integer(let number): binds.append(number)
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
