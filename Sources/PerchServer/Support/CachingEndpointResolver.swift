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

    private enum Entry {
        case pending(Task<[IPAddress], any Error>)
        case answered(Result<[IPAddress], Failure>, until: ContinuousClock.Instant)
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
        let cached: Result<[IPAddress], Failure>? = entries.withLock { entries in
            if case .answered(let result, let until)? = entries[host], until > start { return result }
            return nil
        }
        if let cached { return try cached.get() }
        let task: Task<[IPAddress], any Error> = entries.withLock { entries in
            switch entries[host] {
            case .pending(let task):
                return task
            default:
                if entries.count >= Self.capacity {
                    entries = entries.filter { if case .pending = $0.value { true } else { false } }
                }
                let resolver = self.resolver
                let task = Task { try await resolver.addresses(of: host) }
                entries[host] = .pending(task)
                return task
            }
        }
        let result = await Self.value(of: task, within: timeout)
        // The first waiter to see the query end records it; a timeout is recorded too, so the next sends do not each
        // wait the full timeout on the same stalled query (it stays pending underneath and is replaced after failureTTL).
        let recorded: Result<[IPAddress], Failure> = switch result {
        case .success(let addresses) where !addresses.isEmpty: .success(addresses)
        case .success: .failure(.noAnswer)
        case .failure(let failure): .failure(failure)
        }
        entries.withLock { entries in
            switch entries[host] {
            case .pending(let pending) where pending == task:
                let lifetime = if case .success = recorded { ttl } else { failureTTL }
                entries[host] = .answered(recorded, until: now() + lifetime)
            default:
                break
            }
        }
        return try recorded.get()
    }

    /// Waits for `task` at most `timeout`, without waiting for the task itself to end (a blocked `getaddrinfo` on the
    /// thread pool cannot be interrupted).
    static func value(of task: Task<[IPAddress], any Error>, within timeout: Duration) async -> Result<[IPAddress], Failure> {
        let once = ResumeOnce()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Result<[IPAddress], Failure>, Never>) in
            once.set(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                once.resume(.failure(.timeout))  // a no-op when the answer came first and cancelled the sleep
            }
            Task {
                do { once.resume(.success(try await task.value)) } catch { once.resume(.failure(Failure(description: "DNS lookup failed"))) }
                timer.cancel()
            }
        }
    }

    /// Resumes a continuation exactly once, whichever of the lookup and the timer ends first.
    private final class ResumeOnce: Sendable {
        private let continuation = Mutex<CheckedContinuation<Result<[IPAddress], Failure>, Never>?>(nil)
        func set(_ value: CheckedContinuation<Result<[IPAddress], Failure>, Never>) { continuation.withLock { $0 = value } }
        func resume(_ result: Result<[IPAddress], Failure>) {
            continuation.withLock { $0.take() }?.resume(returning: result)
        }
    }
}
