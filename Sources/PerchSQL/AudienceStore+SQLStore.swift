import Foundation
import PerchCore
import PerchStore

/// Audience counts, written once for every ``SQLStore``.
extension AudienceStore where Self: SQLStore {
    /// Counted in the database, however large the audience: one row per installation (its current token) and one
    /// distinct person key per person, as ``AudienceSize/init(_:)`` counts the planner's candidates.
    public func audienceSize(appId: String, filter: AudienceFilter, now: Date) async throws -> AudienceSize {
        // The app id is the statement's first placeholder; PostgreSQL's compiled filter numbers its own from the second.
        let condition = dialect == .postgres ? filter.postgresCondition(now: now, firstParameter: 2) : filter.sqliteCondition(now: now)
        let statement = SQLStatement("""
            SELECT COUNT(*), COUNT(DISTINCT \(SQLExpressions.person(user: "i.user_id", installation: "i.installation_id")))
            \(AudienceStatements.population)
            WHERE t.app_id = ? AND t.id = i.token_id AND \(condition.sql)
            """, [.text(appId)] + condition.bindings.map(SQLValue.init))
        return try await row(statement) { row in
            AudienceSize(installations: try row.integer(required: 0), people: try row.integer(required: 1))
        } ?? AudienceSize(installations: 0, people: 0)
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
