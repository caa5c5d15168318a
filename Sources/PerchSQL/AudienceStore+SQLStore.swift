import Foundation
import PerchCore
import PerchStore

/// Audience reads, written once for every ``SQLStore``.
extension AudienceStore where Self: SQLStore {
    /// Counted in the database, however large the audience: one row per installation (its current token) and one
    /// distinct person key per person, as ``AudienceSize/init(_:)`` counts the planner's candidates.
    public func audienceSize(appId: String, filter: AudienceFilter, now: Date) async throws -> AudienceSize {
        try await row(audience("""
            SELECT COUNT(*), COUNT(DISTINCT \(SQLExpressions.person(user: "i.user_id", installation: "i.installation_id")))
            """, appId: appId, filter: filter, now: now, where: "t.id = i.token_id AND")) { row in
            AudienceSize(installations: try row.integer(required: 0), people: try row.integer(required: 1))
        } ?? AudienceSize(installations: 0, people: 0)
    }

    public func tokenIds(appId: String, matching filter: AudienceFilter, now: Date) async throws -> [String] {
        try await rows(audience("SELECT t.id", appId: appId, filter: filter, now: now)) { try $0.text(required: 0) }
    }

    public func preview(appId: String, filter: AudienceFilter, now: Date, sampleSize: Int) async throws -> (count: Int, sample: [InstallationSummary]) {
        let count = try await row(audience("SELECT COUNT(*)", appId: appId, filter: filter, now: now)) { try $0.integer(required: 0) } ?? 0
        let sample = try await rows(audience("SELECT \(InstallationStatements.columns)", appId: appId, filter: filter, now: now,
                                             then: "ORDER BY i.last_seen_at DESC LIMIT \(max(0, min(sampleSize, 100)))")) {
            try $0.installationSummary()
        }
        return (count, sample)
    }

    /// `select` over the app's tokens matching `filter` (``AudienceStatements/population``), `condition` before the
    /// filter's and `then` after it.
    private func audience(_ select: String, appId: String, filter: AudienceFilter, now: Date, where condition: String = "",
                          then: String = "") -> SQLStatement {
        // The app id is the statement's first placeholder; PostgreSQL's compiled filter numbers its own from the second.
        let compiled = dialect == .postgres ? filter.postgresCondition(now: now, firstParameter: 2) : filter.sqliteCondition(now: now)
        return SQLStatement("\(select) \(AudienceStatements.population) WHERE t.app_id = ? AND \(condition) \(compiled.sql) \(then)",
                            [.text(appId)] + compiled.bindings.map(SQLValue.init))
    }
}

extension SQLValue {
    /// A compiled condition's bound value.
    public init(_ binding: SQLCondition.Binding) {
        switch binding {
        case .text(let text): self = .text(text)
        case .real(let number): self = .real(number)
        case .integer(let number): self = .integer(number)
        }
    }
}
