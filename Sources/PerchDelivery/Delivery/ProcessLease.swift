import Foundation
import PerchStore
import Synchronization

/// A named lease in the store, held by this process: how a job that must run once — however many
/// Perch processes share the database — picks its one runner. Whoever holds the lease runs; the
/// others skip, and take over when it runs out (a holder that dies stops renewing it).
final class ProcessLease: Sendable {
    /// This process, as a lease holder: host, process id and a random part (a restarted process is someone new).
    static let thisProcess = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UInt32.random(in: .min ... .max))"

    let store: any CoordinationStore
    let name: String
    let holder: String
    let duration: Duration
    /// Until when this process knows it holds the lease (from its last successful take or renewal).
    private let heldUntil = Mutex<Date?>(nil)

    init(store: any CoordinationStore, name: String, holder: String = ProcessLease.thisProcess, duration: Duration) {
        self.store = store
        self.name = name
        self.holder = holder
        self.duration = duration
    }

    /// Takes or renews the lease; answers whether this process holds it. While more than half of the lease is
    /// left no one else can hold it, so a frequent caller (the scheduler's pass, four times a second) writes to
    /// the store only about twice per lease length.
    func acquire(now: Date) async throws -> Bool {
        if let until = heldUntil.withLock({ $0 }), until.timeIntervalSince(now) > duration.timeInterval / 2 { return true }
        return try await renew(now: now)
    }

    /// Takes or renews the lease in the store, whatever this process believes.
    private func renew(now: Date) async throws -> Bool {
        let held = try await store.acquireLease(name, holder: holder, for: duration, now: now)
        heldUntil.withLock { $0 = held ? now.addingTimeInterval(duration.timeInterval) : nil }
        return held
    }

    /// Takes the lease only when nobody holds it — this process included: for a job that runs once per
    /// lease length (the lease is then simply left to run out).
    func acquireAnew(now: Date) async throws -> Bool {
        try await store.acquireLease(name, holder: "\(holder)/\(UUID().uuidString)", for: duration, now: now)
    }

    /// Runs `body` while renewing the lease every third of its length, so a long job keeps it.
    func renewing<C: Clock, R: Sendable>(clock: C, now: @escaping @Sendable () -> Date, _ body: () async throws -> R) async throws -> R
    where C.Duration == Duration {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try await clock.sleep(for: self.duration / 3)
                    _ = try await self.renew(now: now())
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Gives the lease up (at a graceful shutdown), so another process takes over at once.
    func release() async {
        heldUntil.withLock { $0 = nil }
        try? await store.releaseLease(name, holder: holder)
    }
}
