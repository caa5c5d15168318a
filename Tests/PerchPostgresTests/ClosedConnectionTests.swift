import Foundation
import PerchCore
@testable import PerchPostgres
import PerchTestSupport
import PostgresNIO
import Synchronization
import Testing

/// postgres-nio 1.33 never answers a statement written to a connection whose channel has finished closing; Perch's
/// statements check first, so a closed connection is an error, never a wait without end (an import or a worker that
/// waited forever, its connections gone, was how it showed).
@Suite("A closed database connection fails the statement; it never waits forever", .timeLimit(.minutes(1)))
struct ClosedConnectionTests {
    @Test("a statement on a connection that has closed fails at once with ClosedConnectionError")
    func statementOnClosedConnection() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        let store = running.store
        try await store.client.withConnection { db in
            try await db.close()
            try await db.closeFuture.get()
            let logger = store.logger
            // Each statement on a task of its own, watched for ten seconds: a statement that never answers must fail
            // this test, not hang it.
            let answers = Answers()
            let statements: [@Sendable () async throws -> Void] = [
                { try await db.run("ROLLBACK", logger: logger) },
                { _ = try await db.rows("SELECT 1", logger: logger) },
            ]
            for statement in statements {
                Task {
                    do {
                        try await statement()
                        answers.list.withLock { $0.append("answered") }
                    } catch {
                        answers.list.withLock { $0.append(error is ClosedConnectionError ? "closed" : "\(type(of: error))") }
                    }
                }
            }
            for _ in 0..<100 where answers.list.withLock({ $0.count }) < statements.count {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(answers.list.withLock { $0 } == ["closed", "closed"])
        }
    }

    @Test("a transaction whose connection the server ends fails, its ROLLBACK not waited for; the store goes on with another connection")
    func transactionEndedByServer() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        let store = running.store
        await #expect(throws: (any Error).self) {
            try await store.transaction { db in
                try await db.run("SELECT pg_terminate_backend(pg_backend_pid())", logger: store.logger)
            }
        }
        let answer = try await store.transaction { db in try await db.rows("SELECT 41 + 1", logger: store.logger)[0].decode(Int.self) }
        #expect(answer == 42)
    }

    @Test("a store's run, cancelled, returns, and so does withRunning after its body: neither waits on its pool")
    func runEnds() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        let store = PostgresStore(configuration: try PostgresStore.Configuration(url: TestPostgres.url(database: running.database)),
                                  vault: TestVault.vault)
        let task = Task { try await store.run() }
        #expect(try await store.rows("SELECT 1").count == 1)
        task.cancel()
        try await task.value
        let other = PostgresStore(configuration: try PostgresStore.Configuration(url: TestPostgres.url(database: running.database)),
                                  vault: TestVault.vault)
        #expect(try await other.withRunning { try await $0.rows("SELECT 2").count } == 1)
    }
}

/// What the watched statements answered, in the order they answered.
private final class Answers: Sendable {
    let list = Mutex<[String]>([])
}
