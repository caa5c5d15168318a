import Foundation

/// One claimed delivery from claim to what it writes, as the worker sends it: the rules in the order they apply,
/// with every read and the send left to the caller as a ``DeliveryAction`` (postgres-nio's `ConnectionStateMachine`
/// style). Pure: the worker executes each action and feeds back what it found, until ``DeliveryAction/finish(_:)``.
///
/// The order is the contract: an unreadable token or campaign first, then the message's expiry, then status and
/// consent checked again at the moment of sending (they may have changed since the audience was resolved), the
/// gateway and its throttle, a cancel (which stops the rest of a batch in flight, too), the carrier of an FCM Live
/// Activity push, and last the gateway's answer (``DeliveryVerdict``).
public struct DeliveryStateMachine: Sendable {
    /// What the claim says about the delivery.
    public struct Claim: Sendable, Hashable {
        /// The attempt this claim makes, from 1.
        public var attempt: Int
        /// The token, decrypted; `nil` when it can no longer be read.
        public var destination: PushDestination?
        public var status: TokenStatus
        public var consent: ConsentStatus?
        public var userId: String?
        public var expiresAt: Date?

        public init(attempt: Int, destination: PushDestination?, status: TokenStatus, consent: ConsentStatus?, userId: String?,
                    expiresAt: Date?) {
            self.attempt = attempt
            self.destination = destination
            self.status = status
            self.consent = consent
            self.userId = userId
            self.expiresAt = expiresAt
        }
    }

    /// What the machine needs of the delivery's campaign.
    public struct Campaign: Sendable, Hashable {
        public var includeStale: Bool
        public var isLiveActivity: Bool

        public init(includeStale: Bool, isLiveActivity: Bool) {
            self.includeStale = includeStale
            self.isLiveActivity = isLiveActivity
        }
    }

    private enum State: Sendable, Hashable {
        case claimed
        case readingCampaign
        case routing(PushDestination)
        case permitting(PushDestination)
        case checkingCancel(PushDestination)
        case findingCarrier(PushDestination)
        case sending
        case finished
    }

    private let claim: Claim
    private let policy: RetryPolicy
    private var state = State.claimed
    private var campaign: Campaign?

    public init(_ claim: Claim, policy: RetryPolicy = .init()) {
        self.claim = claim
        self.policy = policy
    }

    public mutating func start() -> DeliveryAction {
        precondition(state == .claimed, "a delivery starts once")
        guard claim.destination != nil else { return suppress("token_unreadable") }
        state = .readingCampaign
        return .readCampaign
    }

    /// The campaign as read, `nil` when it cannot be (gone, or a definition this version cannot parse).
    public mutating func campaignRead(_ campaign: Campaign?, now: Date) -> DeliveryAction {
        guard state == .readingCampaign, let destination = claim.destination else { preconditionFailure("campaignRead in \(state)") }
        guard let campaign else { return suppress("campaign_unreadable") }
        self.campaign = campaign
        if let expiresAt = claim.expiresAt, expiresAt <= now { return finish(.record(.failed(reason: "expired"), outcome: .expired, reason: nil)) }
        let recheck = Eligibility(includeStale: campaign.includeStale, bypassCaps: true)
        let facts = Eligibility.Candidate(status: claim.status, consent: claim.consent, userId: claim.userId, timezone: nil)
        if case .exclude(let reason) = recheck.decide(facts, now: now) { return suppress(reason.code) }
        state = .routing(destination)
        return .route(destination.platform)
    }

    /// The app's gateway was found; `messagesPerSecond` is its throttle, if it has one.
    public mutating func routed(messagesPerSecond: Double?) -> DeliveryAction {
        guard case .routing(let destination) = state else { preconditionFailure("routed in \(state)") }
        if let messagesPerSecond {
            state = .permitting(destination)
            return .awaitPermit(destination.platform, perSecond: messagesPerSecond)
        }
        state = .checkingCancel(destination)
        return .checkCancelled
    }

    /// The app has no usable gateway for the platform.
    public mutating func routeFailed(detail: String?) -> DeliveryAction {
        guard case .routing(let destination) = state else { preconditionFailure("routeFailed in \(state)") }
        let reason = DeliveryFailureReason(platform: destination.platform, status: nil, code: "GatewayNotConfigured", detail: detail)
        return finish(.record(.failed(reason: "GatewayNotConfigured"), outcome: .failed, reason: reason))
    }

    public mutating func permitted() -> DeliveryAction {
        guard case .permitting(let destination) = state else { preconditionFailure("permitted in \(state)") }
        state = .checkingCancel(destination)
        return .checkCancelled
    }

    /// The gateway has no room before `until`: never hold a claimed row for long, give it back due then.
    public mutating func throttled(until: Date) -> DeliveryAction {
        guard case .permitting = state else { preconditionFailure("throttled in \(state)") }
        return finish(.release(dueAt: until))
    }

    public mutating func cancelChecked(_ cancelled: Bool) -> DeliveryAction {
        guard case .checkingCancel(let destination) = state else { preconditionFailure("cancelChecked in \(state)") }
        if cancelled { return suppress("cancelled") }
        if campaign?.isLiveActivity == true, LiveActivityRoute.needsCarrier(destination) {
            state = .findingCarrier(destination)
            return .findCarrier
        }
        return send(.direct(destination))
    }

    /// The installation's current device token and its status, `nil` when it has none.
    public mutating func carrierFound(_ carrier: (destination: PushDestination, status: TokenStatus)?) -> DeliveryAction {
        guard case .findingCarrier(let destination) = state else { preconditionFailure("carrierFound in \(state)") }
        return send(LiveActivityRoute.route(destination, carrier: carrier))
    }

    public mutating func carrierUnreadable() -> DeliveryAction {
        guard case .findingCarrier = state else { preconditionFailure("carrierUnreadable in \(state)") }
        return suppress("token_unreadable")
    }

    /// The gateway's answer at `now`: the delivery's next state, and the token retirement or gateway pause it calls for.
    public mutating func answered(_ answer: DeliveryOutcome, now: Date, random: inout some RandomNumberGenerator) -> DeliveryAction {
        guard state == .sending else { preconditionFailure("answered in \(state)") }
        let verdict = DeliveryVerdict.after(answer, attempt: claim.attempt, now: now, expiresAt: claim.expiresAt, policy: policy, random: &random)
        var writes = [DeliveryWrite.record(verdict.state, outcome: verdict.outcome, reason: verdict.reason)]
        if let retire = verdict.retire {
            writes.append(.retire(reason: retire.reason, at: retire.unlessSeenAfter ?? now, unlessSeenAfter: retire.unlessSeenAfter))
        }
        if verdict.pausesGateway, let destination = claim.destination {
            writes.append(.pause(destination.platform, reason: verdict.reason?.code ?? "CredentialError"))
        }
        return finish(writes)
    }

    private mutating func send(_ route: LiveActivityRoute) -> DeliveryAction {
        switch route {
        case .direct(let destination):
            state = .sending
            return .send(to: destination, liveActivityToken: nil)
        case .throughFCM(let registrationToken, let liveActivityToken):
            state = .sending
            return .send(to: .fcm(token: registrationToken), liveActivityToken: liveActivityToken)
        case .unreachable(let reason):
            return suppress(reason)
        }
    }

    private mutating func suppress(_ code: String) -> DeliveryAction {
        finish(.record(.suppressed(reason: code), outcome: .suppressed, reason: nil))
    }

    private mutating func finish(_ writes: DeliveryWrite...) -> DeliveryAction { finish(writes) }

    private mutating func finish(_ writes: [DeliveryWrite]) -> DeliveryAction {
        state = .finished
        return .finish(writes)
    }
}
