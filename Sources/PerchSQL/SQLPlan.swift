/// A transaction whose later statements depend on what its earlier ones read, written once for both dialects: the
/// statements to run, and what follows from the rows they answered (one array per statement, in order) — more
/// statements, or the result. Each backend drives a plan inside one transaction (``SQLStore/transaction(_:readOnly:)``),
/// so the reads and the writes they decide see the same data.
public struct SQLPlan<Result: Sendable>: Sendable {
    public enum Step: Sendable {
        case plan(SQLPlan<Result>)
        case done(Result)
    }

    public var statements: [SQLStatement]
    public var then: @Sendable ([[any SQLRow]]) throws -> Step

    public init(_ statements: [SQLStatement], then: @escaping @Sendable ([[any SQLRow]]) throws -> Step) {
        self.statements = statements
        self.then = then
    }

    /// Runs `statements`, then answers `result`.
    public static func finish(_ statements: [SQLStatement], with result: Result) -> SQLPlan {
        SQLPlan(statements) { _ in .done(result) }
    }

    /// Drives the plan with `run` (one statement's rows), as a backend does inside its transaction.
    public func drive(_ run: (SQLStatement) throws -> [any SQLRow]) throws -> Result {
        var plan = self
        while true {
            switch try plan.then(try plan.statements.map(run)) {
            case .plan(let next): plan = next
            case .done(let result): return result
            }
        }
    }

    /// ``drive(_:)`` for a backend whose statements are asynchronous.
    public func drive(_ run: (SQLStatement) async throws -> [any SQLRow]) async throws -> Result {
        var plan = self
        while true {
            var answers: [[any SQLRow]] = []
            for statement in plan.statements { answers.append(try await run(statement)) }
            switch try plan.then(answers) {
            case .plan(let next): plan = next
            case .done(let result): return result
            }
        }
    }
}

extension SQLStatement {
    /// `column IN (…)` over `values`, one placeholder each (`IN (NULL)`, matching nothing, when there are none), and
    /// the values to bind.
    public static func isIn(_ column: String, _ values: some Collection<String>) -> (sql: String, values: [SQLValue]) {
        guard !values.isEmpty else { return ("\(column) IN (NULL)", []) }
        return ("\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))", values.map { .text($0) })
    }
}
