import Foundation
import PerchCore

/// Holds credentials per key (one for APNs and FCM, one per origin for VAPID) and renews them as the
/// ``CredentialRefreshStateMachine`` decides. Concurrent requests share one renewal.
actor CredentialCache<Key: Hashable & Sendable, Credential: Sendable> {
    /// A freshly obtained credential with its issue time and expiry.
    struct Issued: Sendable {
        var credential: Credential
        var issuedAt: Date
        var expiresAt: Date?
    }

    private let policy: CredentialRefreshPolicy
    private let now: @Sendable () -> Date
    private var machines: [Key: CredentialRefreshStateMachine<Credential>] = [:]
    private var renewals: [Key: Task<Issued, any Error>] = [:]
    /// How many credentials were obtained so far (for tests and metrics).
    private(set) var renewalCount = 0

    init(policy: CredentialRefreshPolicy, now: @escaping @Sendable () -> Date) {
        self.policy = policy
        self.now = now
    }

    /// The credential for `key`, renewed first when the policy says so.
    func credential(for key: Key, renew: @escaping @Sendable () async throws -> Issued) async throws -> Credential {
        while true {
            var machine = machines[key] ?? CredentialRefreshStateMachine(policy: policy)
            let action = machine.credential(now: now())
            machines[key] = machine
            switch action {
            case .use(let credential):
                return credential
            case .refresh:
                let task = Task { try await renew() }
                renewals[key] = task
                do {
                    let issued = try await task.value
                    machines[key]?.refreshSucceeded(issued.credential, issuedAt: issued.issuedAt, expiresAt: issued.expiresAt)
                    renewals[key] = nil
                    renewalCount += 1
                    return issued.credential
                } catch {
                    machines[key]?.refreshFailed()
                    renewals[key] = nil
                    throw error
                }
            case .wait:
                guard let task = renewals[key] else { continue }
                return try await task.value.credential
            }
        }
    }

    /// Marks the credential for `key` as rejected by the gateway; it is renewed on next use (policy permitting).
    func invalidate(_ key: Key) {
        machines[key]?.invalidate()
    }
}
