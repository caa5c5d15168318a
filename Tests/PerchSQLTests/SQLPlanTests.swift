import Foundation
import Testing
@testable import PerchSQL

/// A row as a scripted backend answers it.
private struct TextRow: SQLRow {
    var value: String?
    func text(_ column: Int) throws -> String? { value }
    func integer(_ column: Int) throws -> Int? { value.flatMap { Int($0) } }
    func real(_ column: Int) throws -> Double? { value.flatMap { Double($0) } }
    func blob(_ column: Int) throws -> Data? { value.map { Data($0.utf8) } }
}

@Suite("SQL plans: transactions whose writes depend on their reads")
struct SQLPlanTests {
    /// A two-step plan: read a count, then write it back doubled, and answer what was written.
    func doubling() -> SQLPlan<Int> {
        SQLPlan([SQLStatement("SELECT n FROM counter WHERE id = ?", ["a"])]) { answers in
            guard let n = try answers[0].first?.integer(0) else { return .done(-1) }
            return .plan(.finish([SQLStatement("UPDATE counter SET n = ? WHERE id = ?", [.integer(2 * n), "a"])], with: 2 * n))
        }
    }

    @Test("each step's statements run in order and the next step sees their rows, one array per statement")
    func stepsSeeTheirAnswers() throws {
        var ran: [String] = []
        let result = try doubling().drive { statement in
            ran.append(statement.sql)
            return statement.sql.hasPrefix("SELECT") ? [TextRow(value: "21")] : []
        }
        #expect(result == 42)
        #expect(ran == ["SELECT n FROM counter WHERE id = ?", "UPDATE counter SET n = ? WHERE id = ?"])
    }

    @Test("a step can end the plan early: nothing after it runs")
    func earlyEnd() throws {
        var ran = 0
        let result = try doubling().drive { _ in ran += 1; return [] }
        #expect(result == -1 && ran == 1)
    }

    @Test("the asynchronous driver runs the same steps")
    func asynchronous() async throws {
        let result = try await doubling().drive { statement async throws -> [any SQLRow] in
            statement.sql.hasPrefix("SELECT") ? [TextRow(value: "5")] : []
        }
        #expect(result == 10)
    }

    @Test("an IN list has one placeholder per value, and with none it matches nothing")
    func inLists() {
        let some = SQLStatement.isIn("installation_id", ["i1", "i2"])
        #expect(some.sql == "installation_id IN (?, ?)" && some.values == [.text("i1"), .text("i2")])
        let none = SQLStatement.isIn("installation_id", [String]())
        #expect(none.sql == "installation_id IN (NULL)" && none.values.isEmpty)
    }

    @Test("PostgreSQL takes advisory locks once per key in sorted order; SQLite's one writer needs none")
    func locks() {
        let statements = SQLDialect.postgres.locks(["b", "a", "b"])
        #expect(statements.count == 1 && statements[0].values == [.text("a"), .text("b")])
        #expect(statements[0].sql.contains("pg_advisory_xact_lock"))
        #expect(SQLDialect.sqlite.locks(["a"]).isEmpty && SQLDialect.postgres.locks([String]()).isEmpty)
    }
}
