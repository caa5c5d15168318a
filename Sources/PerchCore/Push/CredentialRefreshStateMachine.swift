import Foundation

/// The lifecycle of one cached credential as a pure state machine driven by the caller's clock.
///
/// Ask ``credential(now:)`` before every request; it answers with the credential to use, or tells the caller to
/// obtain a new one (and report it with ``refreshSucceeded(_:issuedAt:expiresAt:)``), or to wait for the renewal
/// another request already started. While a renewal runs, requests keep using the previous credential when it is
/// still valid, so only one renewal happens at a time.
public struct CredentialRefreshStateMachine<Credential: Sendable>: Sendable {
    /// What the caller does next.
    public enum Action: Sendable {
        /// Use this credential.
        case use(Credential)
        /// Obtain a new credential now, then call ``refreshSucceeded(_:issuedAt:expiresAt:)`` or ``refreshFailed()``.
        case refresh
        /// Another caller is renewing and there is no valid credential meanwhile: wait for it.
        case wait
    }

    struct Entry: Sendable {
        var credential: Credential
        var issuedAt: Date
        var expiresAt: Date?
        var invalidated = false
    }

    enum State: Sendable {
        case empty
        case ready(Entry)
        case refreshing(previous: Entry?)
    }

    /// The policy in force.
    public let policy: CredentialRefreshPolicy
    private var state: State = .empty

    /// Starts with no credential.
    public init(policy: CredentialRefreshPolicy) {
        self.policy = policy
    }

    /// Whether a renewal is under way.
    public var isRefreshing: Bool {
        if case .refreshing = state { return true }
        return false
    }

    /// Decides whether the cached credential can be used at `now`.
    public mutating func credential(now: Date) -> Action {
        switch state {
        case .empty:
            state = .refreshing(previous: nil)
            return .refresh
        case .ready(let entry):
            if needsRenewal(entry, now: now) {
                state = .refreshing(previous: entry)
                return .refresh
            }
            return .use(entry.credential)
        case .refreshing(let previous):
            if let previous, isUsable(previous, now: now) { return .use(previous.credential) }
            return .wait
        }
    }

    /// Records a new credential.
    public mutating func refreshSucceeded(_ credential: Credential, issuedAt: Date, expiresAt: Date?) {
        state = .ready(Entry(credential: credential, issuedAt: issuedAt, expiresAt: expiresAt))
    }

    /// Records a failed renewal: the previous credential (if any) stays, and the next request tries again.
    public mutating func refreshFailed() {
        if case .refreshing(let previous?) = state {
            var entry = previous
            entry.invalidated = true
            state = .ready(entry)
        } else {
            state = .empty
        }
    }

    /// Records that the gateway rejected the credential (expired or invalid). It is renewed on the next request,
    /// unless it is younger than the policy's minimum age.
    public mutating func invalidate() {
        if case .ready(var entry) = state {
            entry.invalidated = true
            state = .ready(entry)
        }
    }

    private func needsRenewal(_ entry: Entry, now: Date) -> Bool {
        let age = Duration.seconds(now.timeIntervalSince(entry.issuedAt))
        if age < policy.minimumAge {
            // Too young to renew, unless it has already expired (which only a short-lived credential can).
            if let expiresAt = entry.expiresAt, now >= expiresAt { return true }
            return false
        }
        if entry.invalidated { return true }
        if let renewalAge = policy.renewalAge, age >= renewalAge { return true }
        if let expiresAt = entry.expiresAt {
            let lifetime = Duration.seconds(expiresAt.timeIntervalSince(entry.issuedAt))
            let margin = min(policy.expiryMargin, lifetime / 2)
            if now >= expiresAt.addingTimeInterval(-margin.secondsValue) { return true }
        }
        return false
    }

    private func isUsable(_ entry: Entry, now: Date) -> Bool {
        if entry.invalidated { return false }
        if let expiresAt = entry.expiresAt, now >= expiresAt { return false }
        return true
    }
}

extension Duration {
    // Seconds as a floating-point number.
    var secondsValue: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
