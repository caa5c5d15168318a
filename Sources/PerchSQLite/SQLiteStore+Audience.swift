import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore: AudienceStore {
    static var audienceFrom: String { AudienceStatements.population }

    public func tokenIds(appId: String, matching filter: AudienceFilter, now: Date) async throws -> [String] {
        let condition = filter.sqliteCondition(now: now)
        return try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT t.id \(Self.audienceFrom) WHERE t.app_id = ? AND \(condition.sql)",
                                arguments: Self.arguments([.text(appId)] + condition.bindings))
        }
    }

    public func preview(appId: String, filter: AudienceFilter, now: Date, sampleSize: Int) async throws -> (count: Int, sample: [InstallationSummary]) {
        let condition = filter.sqliteCondition(now: now)
        let arguments = Self.arguments([.text(appId)] + condition.bindings)
        return try await pool.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(Self.audienceFrom) WHERE t.app_id = ? AND \(condition.sql)",
                                         arguments: arguments) ?? 0
            let sample = try Row.fetchAll(db, sql: """
                SELECT \(InstallationStatements.columns) \(Self.audienceFrom) WHERE t.app_id = ? AND \(condition.sql)
                ORDER BY i.last_seen_at DESC LIMIT \(max(0, min(sampleSize, 100)))
                """, arguments: arguments).map { try $0.installationSummary() }
            return (count, sample)
        }
    }

    static func arguments(_ bindings: [SQLCondition.Binding]) -> StatementArguments {
        StatementArguments(bindings.map { binding -> (any DatabaseValueConvertible)? in
            switch binding {
            case .text(let text): text
            case .real(let number): number
            case .integer(let number): number
            }
        })
    }
}
