import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import PerchCore

/// Sends to APNs over HTTP/2: `POST /3/device/<token>` with an ES256 provider token that is shared by all requests
/// and renewed between 20 and 60 minutes (never more often), on the shared connection pool of ``PushGateways``.
public struct APNsClient: PushGateway {
    public var platform: Platform { .apns }
    /// The configuration this client was built from.
    public let configuration: APNsConfiguration

    let transport: GatewayTransport
    let signer: APNsProviderTokenSigner
    let providerTokens: CredentialCache<Int, String>
    let now: @Sendable () -> Date
    let logger: Logger

    init(
        configuration: APNsConfiguration, httpClient: HTTPClient, http2: HTTP2ConnectionPool, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) throws(GatewayConfigurationError) {
        guard configuration.baseURL.lowercased().hasPrefix("https://") else { throw .invalidEndpoint("endpoint") }
        self.configuration = configuration
        self.transport = try GatewayTransport(
            httpClient: httpClient, gateway: (http2, configuration.baseURL), caCertificatePEM: configuration.caCertificatePEM,
            timeout: configuration.requestTimeout)
        self.signer = try APNsProviderTokenSigner(
            teamId: configuration.teamId, keyId: configuration.keyId, privateKeyPEM: configuration.privateKeyPEM)
        self.providerTokens = CredentialCache(policy: .apnsProviderToken, now: now)
        self.now = now
        var logger = logger
        logger[metadataKey: GatewayLogKey.platform] = "apns"
        self.logger = logger
    }

    public func send(_ message: PushMessage, to destination: PushDestination, options: PushSendOptions) async -> DeliveryOutcome {
        guard case .apns(let token, let environment) = destination else { return wrongPlatform(destination) }
        let notification: APNsNotification
        let expiration = options.timeToLive.map { now().addingTimeInterval(Double($0)) }
        do {
            if let liveActivity = options.liveActivity {
                notification = try liveActivity.renderAPNs(alert: message.liveActivityAlert, data: message.data, expiration: expiration)
            } else {
                notification = try message.renderAPNs(expiration: expiration)
            }
        } catch {
            return error.outcome(.apns)
        }
        return await send(notification, deviceToken: token, tokenEnvironment: environment, logger: options.logger)
    }

    /// Sends an already rendered notification to one device token.
    ///
    /// - Parameters:
    ///   - tokenEnvironment: where the token was registered; `BadDeviceToken` retires it only when this equals the
    ///     configured environment.
    ///   - apnsId: the `apns-id` to send (a new UUID by default), written in lower case.
    public func send(
        _ notification: APNsNotification,
        deviceToken: String,
        tokenEnvironment: APNsEnvironment?,
        apnsId: UUID = .random(),
        logger: Logger? = nil
    ) async -> DeliveryOutcome {
        let logger = logger ?? self.logger
        guard Self.isWellFormed(deviceToken) else {
            return .messageError(reason: DeliveryFailureReason(
                platform: .apns, status: nil, code: "MalformedDeviceToken", detail: "a device token is hexadecimal"))
        }
        let bearer: String
        do {
            let signer = self.signer
            bearer = try await providerTokens.credential(for: 0) { [now] in
                let issuedAt = now()
                let token = try signer.token(issuedAt: issuedAt)
                return .init(credential: token, issuedAt: issuedAt, expiresAt: issuedAt.addingTimeInterval(3600))
            }
        } catch {
            return .credentialError(reason: DeliveryFailureReason(
                platform: .apns, status: nil, code: "ProviderTokenSigningFailed", detail: "the .p8 key could not sign"))
        }

        var headers = HTTPHeaders()
        headers.add(name: "authorization", value: "bearer " + bearer)
        headers.add(name: "apns-push-type", value: notification.pushType)
        headers.add(name: "apns-id", value: apnsId.uuidString.lowercased())
        headers.add(name: "apns-topic", value: topic(for: notification.pushType))
        if let expiration = notification.expiration { headers.add(name: "apns-expiration", value: String(expiration)) }
        if let priority = notification.priority { headers.add(name: "apns-priority", value: String(priority)) }
        if let collapseId = notification.collapseId { headers.add(name: "apns-collapse-id", value: collapseId) }
        headers.add(name: "content-type", value: "application/json")

        let result = await transport.post(path: "/3/device/" + deviceToken, headers: headers, body: notification.payload)
        switch result {
        case .failure(let failure):
            logger.debug("APNs request failed", metadata: [GatewayLogKey.reason: "\(failure.reason(.apns))"])
            return .retry(after: nil, reason: failure.reason(.apns))
        case .success(let response):
            let answer = APNsAnswer(status: response.status, header: response.header, body: response.body, now: now())
            if answer.reason == .expiredProviderToken || answer.reason == .invalidProviderToken {
                await providerTokens.invalidate(0)
            }
            let outcome = APNsOutcomeTable.outcome(
                for: answer, tokenEnvironment: tokenEnvironment, connectionEnvironment: configuration.environment)
            logger.debug("APNs answered", metadata: [
                GatewayLogKey.status: "\(response.status)", GatewayLogKey.reason: "\(outcome.reason?.code ?? "-")",
            ])
            return outcome
        }
    }

    /// How many provider tokens this client has signed (renewals included).
    public var providerTokenCount: Int {
        get async { await providerTokens.renewalCount }
    }

    func topic(for pushType: String) -> String {
        let suffix: String
        switch pushType {
        case "voip": suffix = ".voip"
        case "complication": suffix = ".complication"
        case "fileprovider": suffix = ".pushkit.fileprovider"
        case "liveactivity": suffix = ".push-type.liveactivity"
        case "location": suffix = ".location-query"
        case "pushtotalk": suffix = ".voip-ptt"
        default: return configuration.topic
        }
        return configuration.topic.hasSuffix(suffix) ? configuration.topic : configuration.topic + suffix
    }

    static func isWellFormed(_ token: String) -> Bool {
        !token.isEmpty && token.count <= 200 && token.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
        }
    }
}
