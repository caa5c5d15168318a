import Foundation
import PerchCore
import Synchronization

/// Resolves Web Push hosts at send time: once per host per ``ttl`` (a campaign to a million Chrome users asks DNS
/// about `fcm.googleapis.com` once a minute, not a million times), concurrent lookups of one host share one query,
/// and every wait is bounded by ``timeout`` — a stalled resolver makes a send retry later, never a stalled worker.
///
/// `getaddrinfo` gives no TTLs, so answers are kept a fixed time; failures a shorter one, so a resolver outage is
/// not asked again for every message.
public final class CachingEndpointResolver: Sendable {
    /// Why no addresses came back.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public static let timeout = Failure(description: "DNS lookup timed out")
        public static let noAnswer = Failure(description: "the host did not resolve")
    }

    /// A host's last answer, while it is fresh, and its query while one is in flight.
    private struct Entry {
        var answer: Result<[IPAddress], Failure>?
        var until: ContinuousClock.Instant
        var query: Task<[IPAddress], Never>?
        var queryID: UInt64 = 0
    }

    public let resolver: any EndpointResolver
    public let timeout: Duration
    public let ttl: Duration
    public let failureTTL: Duration
    let now: @Sendable () -> ContinuousClock.Instant
    private let entries = Mutex<[String: Entry]>([:])
    /// Bounds the cache; past it, answered entries are dropped (a new lookup is cheap, memory is not).
    static let capacity = 10_000

    /// - Parameter now: the clock the TTLs are measured on; tests move it by hand.
    public init(resolver: any EndpointResolver = SystemEndpointResolver(), timeout: Duration = .seconds(5), ttl: Duration = .seconds(60),
                failureTTL: Duration = .seconds(5), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.resolver = resolver
        self.timeout = timeout
        self.ttl = ttl
        self.failureTTL = failureTTL
        self.now = now
    }

    /// The host's addresses, from the cache or one bounded lookup.
    public func addresses(of host: String) async throws(Failure) -> [IPAddress] {
        let host = host.lowercased()
        let start = now()
        let lookup: Result<[IPAddress], Failure>? = entries.withLock { entries in
            if let entry = entries[host], let answer = entry.answer, entry.until > start { return answer }
            return nil
        }
        if let lookup { return try lookup.get() }
        let query = entries.withLock { entries -> Task<[IPAddress], Never> in
            // One query per host at a time: a stalled one is waited on again, never repeated beside itself (each
            // blocked getaddrinfo holds a thread-pool thread until the system resolver gives up).
            if let query = entries[host]?.query { return query }
            if entries.count >= Self.capacity { entries = entries.filter { $0.value.query != nil } }
            let id = UInt64.random(in: 1 ... .max)
            let resolver = self.resolver
            let query = Task { () -> [IPAddress] in
                let addresses = (try? await resolver.addresses(of: host)) ?? []
                self.finish(host, id: id, addresses.isEmpty ? .failure(.noAnswer) : .success(addresses))
                return addresses
            }
            entries[host, default: Entry(until: start)].query = query
            entries[host]?.queryID = id
            return query
        }
        switch await Self.value(of: query, within: timeout) {
        case .some(let addresses):
            guard !addresses.isEmpty else { throw .noAnswer }
            return addresses
        case .none:
            // Remembered briefly, so the next sends do not each wait the full timeout on the same stalled query.
            entries.withLock { entries in
                entries[host]?.answer = .failure(.timeout)
                entries[host]?.until = now() + failureTTL
            }
            throw .timeout
        }
    }

    private func finish(_ host: String, id: UInt64, _ answer: Result<[IPAddress], Failure>) {
        let lifetime = if case .success = answer { ttl } else { failureTTL }
        entries.withLock { entries in
            guard entries[host]?.queryID == id else { return }
            entries[host] = Entry(answer: answer, until: now() + lifetime, query: nil, queryID: id)
        }
    }

    /// Waits for `query` at most `timeout` (`nil`: it did not end in time), without waiting for the query itself to
    /// end: a blocked `getaddrinfo` on the thread pool cannot be interrupted.
    static func value(of query: Task<[IPAddress], Never>, within timeout: Duration) async -> [IPAddress]? {
        let once = ResumeOnce()
        return await withCheckedContinuation { (continuation: CheckedContinuation<[IPAddress]?, Never>) in
            once.set(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                once.resume(nil)  // a no-op when the answer came first and cancelled the sleep
            }
            Task {
                once.resume(await query.value)
                timer.cancel()
            }
        }
    }

    /// Resumes a continuation exactly once, whichever of the lookup and the timer ends first.
    private final class ResumeOnce: Sendable {
        private let continuation = Mutex<CheckedContinuation<[IPAddress]?, Never>?>(nil)
        func set(_ value: CheckedContinuation<[IPAddress]?, Never>) { continuation.withLock { $0 = value } }
        func resume(_ result: [IPAddress]?) {
            continuation.withLock { $0.take() }?.resume(returning: result)
        }
    }
}
