import Foundation
import Logging
import PerchCore
import PerchGateways
import PerchStore

/// A send to one installation now: the first cut of `POST /v1/send` and `perch send`.
/// Consent and token status are checked (never bypassed), the gateway's answer decides the
/// token's fate at once, and the outcome is returned.
public struct DirectSend: Sendable {
    let store: any RegistryBackend
    let gateways: GatewayDirectory
    let now: @Sendable () -> Date

    public init(store: any RegistryBackend, gateways: GatewayDirectory, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.gateways = gateways
        self.now = now
    }

    /// The result for one installation.
    public struct Result: Sendable, Encodable {
        public var installationId: String?
        public var tokenId: String?
        public var platform: String?
        /// `accepted`, `retired`, `retry`, `message_error`, `credential_error` or `suppressed`.
        public var outcome: String
        public var gatewayMessageId: String?
        public var reason: Reason?
        public var retryAfterSeconds: Double?

        public struct Reason: Sendable, Encodable {
            public var code: String
            public var status: Int?
            public var detail: String?
        }

        public init(installationId: String?, tokenId: String? = nil, platform: String? = nil, outcome: String, reason: Reason? = nil) {
            self.installationId = installationId
            self.tokenId = tokenId
            self.platform = platform
            self.outcome = outcome
            self.reason = reason
        }

        /// The result of a gateway's answer (`retired` is decided by the registry afterwards).
        public init(installationId: String?, tokenId: String?, platform: String, outcome: DeliveryOutcome) {
            self.init(installationId: installationId, tokenId: tokenId, platform: platform, outcome: "")
            reason = outcome.reason.map { Reason(code: $0.code, status: $0.status, detail: $0.detail) }
            let name: DeliveryVerdict.Outcome
            switch outcome {
            case .accepted(let id):
                name = .accepted
                gatewayMessageId = id
            case .retireToken: name = .retired
            case .retry(let after, _):
                name = .retry
                retryAfterSeconds = after?.timeInterval
            case .messageError: name = .messageError
            case .credentialError: name = .credentialError
            }
            self.outcome = name.rawValue
        }
    }

    /// Sends to the installation's current token.
    /// - Parameter registeredBySender: the token was registered by the sender itself in this request (gorush's
    ///   `/api/push`), not seen from a device: a gateway's "dead" then retires it even when APNs' 410 timestamp is
    ///   older than that registration.
    public func send(_ message: PushMessage, appId: String, installationId: String, timeToLive: Int?, registeredBySender: Bool = false,
                     logger: Logger) async throws -> Result {
        guard let summary = try await store.installation(appId: appId, installationId: installationId) else {
            throw PerchError(.notFound, "installation not found", field: "to.installationId")
        }
        guard let current = try await store.currentDestination(appId: appId, installationId: installationId) else {
            return Result(installationId: installationId, outcome: DeliveryVerdict.Outcome.suppressed.rawValue, reason: .init(code: "no_token"))
        }
        let candidate = Eligibility.Candidate(status: current.status, consent: summary.consent?.status, userId: summary.userId,
                                              timezone: summary.timezone)
        if case .exclude(let reason) = Eligibility(bypassCaps: true).decide(candidate, now: now()) {
            return Result(installationId: installationId, tokenId: current.tokenId, platform: current.destination.platform.rawValue,
                          outcome: DeliveryVerdict.Outcome.suppressed.rawValue, reason: .init(code: reason.code, detail: reason.description))
        }
        let gateway = try await gateways.gateway(appId: appId, platform: current.destination.platform)
        let sendLogger = logger.forPush(["perch.token_id": .string(current.tokenId)])
        let outcome = await gateway.send(message, to: current.destination, options: PushSendOptions(timeToLive: timeToLive, logger: sendLogger))
        var result = Result(installationId: installationId, tokenId: current.tokenId, platform: current.destination.platform.rawValue,
                            outcome: outcome)
        if case .retireToken(let reason, let timestamp) = outcome {
            let retired = try await store.retireToken(appId: appId, tokenId: current.tokenId, reason: reason.code,
                                                      at: registeredBySender ? now() : timestamp ?? now(),
                                                      unlessSeenAfter: registeredBySender ? nil : timestamp)
            result.outcome = (retired ? DeliveryVerdict.Outcome.retired : .kept).rawValue
        }
        return result
    }
}
