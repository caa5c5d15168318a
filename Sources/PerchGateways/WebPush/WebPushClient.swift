import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import PerchCore

/// Sends Web Push messages (RFC 8030) encrypted with RFC 8291 `aes128gcm` and authorised with RFC 8292 VAPID.
///
/// Before every send the endpoint must be `https`, allowed by ``WebPushConfiguration/allowedEndpointHosts`` and
/// cleared by the injected endpoint check (the host policy, and the addresses the host resolves to); a refusal is a
/// message error that never retires the subscription, an unresolvable host a retry. When the check pins an address
/// the request connects there and nowhere else, with TLS and `Host` still naming the endpoint's host.
/// VAPID tokens are cached per push service origin.
public struct WebPushClient: PushGateway {
    /// Decides whether and where an endpoint may be contacted, just before each send.
    public typealias EndpointCheck = @Sendable (URL) async -> WebPushEndpointClearance

    /// How long to wait before retrying a send whose host could not be resolved.
    public static let unresolvedRetryDelay: Duration = .seconds(30)

    public var platform: Platform { .webpush }
    /// The configuration this client was built from.
    public let configuration: WebPushConfiguration
    /// The VAPID key.
    public let vapidKey: VAPIDKey

    let transport: GatewayTransport
    let pinnedClients: PinnedHTTPClients
    let endpointCheck: EndpointCheck
    let vapidTokens: CredentialCache<String, String>
    let now: @Sendable () -> Date
    let logger: Logger

    init(
        configuration: WebPushConfiguration,
        httpClient: HTTPClient,
        pinnedClients: PinnedHTTPClients,
        endpointCheck: @escaping EndpointCheck,
        logger: Logger,
        now: @escaping @Sendable () -> Date
    ) throws(GatewayConfigurationError) {
        let subject = configuration.subject.lowercased()
        guard subject.hasPrefix("mailto:") || subject.hasPrefix("https://") else { throw .invalidSubject }
        self.configuration = configuration
        self.vapidKey = try VAPIDKey(privateKey: configuration.vapidPrivateKey)
        self.transport = try GatewayTransport(
            httpClient: httpClient, caCertificatePEM: configuration.caCertificatePEM, timeout: configuration.requestTimeout)
        self.pinnedClients = pinnedClients
        self.endpointCheck = endpointCheck
        self.vapidTokens = CredentialCache(policy: .vapidToken, now: now)
        self.now = now
        var logger = logger
        logger[metadataKey: GatewayLogKey.platform] = "webpush"
        self.logger = logger
    }

    public func send(_ message: PushMessage, to destination: PushDestination, options: PushSendOptions) async -> DeliveryOutcome {
        guard case .webpush(let subscription) = destination else { return wrongPlatform(destination) }
        guard options.liveActivity == nil else {
            return .messageError(reason: DeliveryFailureReason(platform: .webpush, status: nil, code: "LiveActivityUnsupported",
                                                               detail: "Live Activities are Apple's: sent through APNs"))
        }
        let notification: WebPushNotification
        do { notification = try message.renderWebPush(timeToLive: options.timeToLive) } catch {
            return error.outcome(.webpush)
        }
        return await send(notification, endpoint: subscription.endpoint.absoluteString, p256dh: Base64URL.encode(subscription.p256dh),
                          auth: Base64URL.encode(subscription.auth), logger: options.logger)
    }

    /// Encrypts and sends an already rendered notification to one subscription.
    public func send(
        _ notification: WebPushNotification,
        endpoint: String,
        p256dh: String,
        auth: String,
        logger: Logger? = nil
    ) async -> DeliveryOutcome {
        let logger = logger ?? self.logger
        guard let url = URL(string: endpoint), url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty,
            configuration.allows(host: host)
        else {
            return .messageError(reason: refusal("the endpoint is not an https URL on an allowed host"))
        }
        let client: HTTPClient?
        switch await endpointCheck(url) {
        case .connect:
            client = nil
        case .connectPinned(let address):
            guard let pinned = pinnedClients.client(host: host, address: address) else {
                return .retry(after: nil, reason: .transport(.webpush, detail: "shutting down"))
            }
            client = pinned
        case .refused(let detail):
            return .messageError(reason: refusal(detail))
        case .unresolved(let detail):
            return .retry(after: Self.unresolvedRetryDelay, reason: .endpointUnresolved(detail: detail))
        }
        guard let userAgentKey = Data(base64URLEncoded: p256dh), let authSecret = Data(base64URLEncoded: auth) else {
            return .messageError(reason: DeliveryFailureReason(
                platform: .webpush, status: nil, code: "InvalidSubscriptionKeys", detail: "p256dh or auth is not base64url"))
        }
        let body: Data
        do {
            body = try WebPushEncryption.encrypt(notification.plaintext, userAgentPublicKey: userAgentKey, authSecret: authSecret)
        } catch {
            return .messageError(reason: DeliveryFailureReason(
                platform: .webpush, status: nil, code: "InvalidSubscriptionKeys", detail: error.description))
        }
        let origin = Self.origin(of: url)
        let token: String
        do {
            let key = vapidKey
            let subject = configuration.subject
            let lifetime = configuration.tokenLifetime
            token = try await vapidTokens.credential(for: origin) { [now] in
                let issuedAt = now()
                let expiresAt = issuedAt.addingTimeInterval(lifetime.secondsValue)
                let token = try key.token(audience: origin, expiresAt: expiresAt, subject: subject)
                return .init(credential: token, issuedAt: issuedAt, expiresAt: expiresAt)
            }
        } catch {
            return .credentialError(reason: DeliveryFailureReason(platform: .webpush, status: nil, code: "VAPIDSigningFailed"))
        }

        var headers = HTTPHeaders()
        headers.add(name: "authorization", value: vapidKey.authorization(token: token))
        headers.add(name: "content-encoding", value: "aes128gcm")
        headers.add(name: "content-type", value: "application/octet-stream")
        headers.add(name: "ttl", value: String(notification.timeToLive))
        if let urgency = notification.urgency { headers.add(name: "urgency", value: urgency) }
        if let topic = notification.topic { headers.add(name: "topic", value: topic) }

        switch await transport.execute(url: endpoint, headers: headers, body: body, logger: logger, client: client) {
        case .failure(let failure):
            logger.debug("Web Push request failed", metadata: [
                GatewayLogKey.origin: "\(origin)", GatewayLogKey.reason: "\(failure.reason(.webpush))",
            ])
            return .retry(after: nil, reason: failure.reason(.webpush))
        case .success(let response):
            if response.status == 401 || response.status == 403 { await vapidTokens.invalidate(origin) }
            let outcome = WebPushOutcomeTable.outcome(
                for: WebPushAnswer(status: response.status, header: response.header, now: now()))
            logger.debug("Web Push answered", metadata: [
                GatewayLogKey.origin: "\(origin)", GatewayLogKey.status: "\(response.status)",
            ])
            return outcome
        }
    }

    /// How many VAPID tokens this client has signed.
    public var vapidTokenCount: Int {
        get async { await vapidTokens.renewalCount }
    }

    /// `scheme://host[:port]`, the VAPID `aud` (RFC 8292 §2: the origin of the push resource).
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "https"
        var host = url.host?.lowercased() ?? ""
        if host.contains(":"), !host.hasPrefix("[") { host = "[" + host + "]" }
        if let port = url.port, !(scheme == "https" && port == 443) { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }

    private func refusal(_ detail: String) -> DeliveryFailureReason {
        var reason = DeliveryFailureReason.endpointRefused
        reason.detail = detail
        return reason
    }
}
