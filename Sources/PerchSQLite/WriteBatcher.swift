import Foundation
import GRDB
import Synchronization

/// Group commit for SQLite: writes that arrive while a transaction is running are
/// gathered and committed together in the next one, each inside its own savepoint so
/// a failing write rolls back alone (a write that comes alone is its own transaction). A caller is answered only after its batch has
/// committed, so an answered write is a stored write.
///
/// Under load this turns N transactions into N/batch commits; idle, a write commits
/// alone at once — no timer, no added latency.
final class WriteBatcher: Sendable {
    /// One queued write: runs in the batch transaction and returns how to answer its caller.
    private struct Job: Sendable {
        /// Runs the write in a savepoint; the returned closure answers the caller once the
        /// transaction has committed (`nil`) or failed.
        let run: @Sendable (Database) -> @Sendable ((any Error)?) -> Void
        /// Answers a caller whose write never ran because the transaction could not start.
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// The most writes one transaction takes, so a huge backlog still commits steadily.
    private let maximumBatch: Int

    init(pool: DatabasePool, maximumBatch: Int = 512) {
        self.pool = pool
        self.maximumBatch = maximumBatch
    }

    /// Runs `work` in the next batch and returns its result once the batch has committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(run: { db in
                let result: Result<T, any Error>
                do {
                    var value: T?
                    try db.inSavepoint {
                        value = try work(db)
                        return .commit
                    }
                    result = .success(value!)
                } catch {
                    result = .failure(error)
                }
                return { commitError in
                    if let commitError { continuation.resume(throwing: commitError) } else { continuation.resume(with: result) }
                }
            }, fail: { error in continuation.resume(throwing: error) })
            let startDrain = state.withLock { state in
                state.pending.append(job)
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDrain {
                pool.asyncWriteWithoutTransaction { [self] db in drain(db) }
            }
        }
    }

    /// Commits batches until nothing is pending. Runs on GRDB's writer queue.
    private func drain(_ db: Database) {
        while true {
            let batch: [Job] = state.withLock { state in
                let taken = Array(state.pending.prefix(maximumBatch))
                state.pending.removeFirst(taken.count)
                if taken.isEmpty { state.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            if batch.count == 1 {
                // A write alone is its own transaction (`inSavepoint` opens one outside a transaction): a savepoint
                // would copy every page the write touches into its sub-journal, for a rollback the transaction gives anyway.
                batch[0].run(db)(nil)
                continue
            }
            var answers: [@Sendable ((any Error)?) -> Void] = []
            answers.reserveCapacity(batch.count)
            do {
                try db.inTransaction(.immediate) {
                    for job in batch { answers.append(job.run(db)) }
                    return .commit
                }
                for answer in answers { answer(nil) }
            } catch {
                // The transaction failed: nothing of the batch is stored.
                for answer in answers { answer(error) }
                for job in batch.dropFirst(answers.count) { job.fail(error) }
            }
        }
    }
}
