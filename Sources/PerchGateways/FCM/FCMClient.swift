import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import PerchCore

/// Sends to FCM HTTP v1: `POST /v1/projects/{project_id}/messages:send` with an OAuth2 access token obtained from
/// the service account (RS256 assertion exchanged at `token_uri`) and cached until shortly before it expires.
public struct FCMClient: PushGateway {
    public var platform: Platform { .fcm }
    /// The configuration this client was built from.
    public let configuration: FCMConfiguration
    /// The parsed service account.
    public let serviceAccount: FCMServiceAccount

    let transport: GatewayTransport
    let accessTokens: CredentialCache<Int, String>
    let now: @Sendable () -> Date
    let logger: Logger

    /// A failed token exchange, carried through the credential cache as its outcome.
    struct TokenExchangeFailure: Error {
        var outcome: DeliveryOutcome
    }

    init(
        configuration: FCMConfiguration, httpClient: HTTPClient, http2: HTTP2ConnectionPool, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) throws(GatewayConfigurationError) {
        guard configuration.baseURL.lowercased().hasPrefix("https://") else { throw .invalidEndpoint("endpoint") }
        self.configuration = configuration
        self.serviceAccount = try FCMServiceAccount(json: configuration.serviceAccountJSON)
        self.transport = try GatewayTransport(
            httpClient: httpClient, gateway: (http2, configuration.baseURL), caCertificatePEM: configuration.caCertificatePEM,
            timeout: configuration.requestTimeout)
        self.accessTokens = CredentialCache(policy: .oauthAccessToken, now: now)
        self.now = now
        var logger = logger
        logger[metadataKey: GatewayLogKey.platform] = "fcm"
        self.logger = logger
    }

    public func send(_ message: PushMessage, to destination: PushDestination, options: PushSendOptions) async -> DeliveryOutcome {
        guard case .fcm(let token) = destination else { return wrongPlatform(destination) }
        let notification: FCMNotification
        if let liveActivity = options.liveActivity {
            guard let liveActivityToken = options.liveActivityToken else {
                return .messageError(reason: DeliveryFailureReason(platform: .fcm, status: nil, code: "LiveActivityTokenMissing",
                                                                   detail: "a Live Activity through FCM needs the APNs Live Activity token"))
            }
            do {
                notification = try liveActivity.renderFCM(registrationToken: token, liveActivityToken: liveActivityToken,
                                                          alert: message.liveActivityAlert, data: message.data,
                                                          timeToLive: options.timeToLive, now: now())
            } catch {
                return error.outcome(.fcm)
            }
        } else {
            do { notification = try message.renderFCM(token: token, timeToLive: options.timeToLive, now: now()) } catch {
                return error.outcome(.fcm)
            }
        }
        return await send(notification, logger: options.logger)
    }

    /// Sends an already rendered `{"message": …}` body.
    public func send(_ notification: FCMNotification, logger: Logger? = nil) async -> DeliveryOutcome {
        let logger = logger ?? self.logger
        let accessToken: String
        do {
            accessToken = try await self.accessToken(logger: logger)
        } catch let failure as TokenExchangeFailure {
            return failure.outcome
        } catch {
            return .credentialError(reason: DeliveryFailureReason(platform: .fcm, status: nil, code: "OAuth:AssertionFailed"))
        }
        var headers = HTTPHeaders()
        headers.add(name: "authorization", value: "Bearer " + accessToken)
        headers.add(name: "content-type", value: "application/json; charset=UTF-8")
        let path = "/v1/projects/" + serviceAccount.projectId + "/messages:send"
        switch await transport.post(path: path, headers: headers, body: notification.requestBody) {
        case .failure(let failure):
            logger.debug("FCM request failed", metadata: [GatewayLogKey.reason: "\(failure.reason(.fcm))"])
            return .retry(after: nil, reason: failure.reason(.fcm))
        case .success(let response):
            let answer = FCMAnswer(status: response.status, header: response.header, body: response.body, now: now())
            if response.status == 401, answer.errorCode == nil { await accessTokens.invalidate(0) }
            let outcome = FCMOutcomeTable.outcome(for: answer)
            logger.debug("FCM answered", metadata: [
                GatewayLogKey.status: "\(response.status)", GatewayLogKey.reason: "\(outcome.reason?.code ?? "-")",
            ])
            return outcome
        }
    }

    /// How many access tokens this client has obtained.
    public var accessTokenCount: Int {
        get async { await accessTokens.renewalCount }
    }

    func accessToken(logger: Logger) async throws -> String {
        let account = serviceAccount
        let transport = self.transport
        let now = self.now
        return try await accessTokens.credential(for: 0) {
            let issuedAt = now()
            let assertion = try account.assertion(issuedAt: issuedAt)
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            let form = "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=" + assertion
            switch await transport.execute(url: account.tokenURI, headers: headers, body: Data(form.utf8), logger: logger) {
            case .failure(let failure):
                throw TokenExchangeFailure(outcome: .retry(after: nil, reason: failure.reason(.fcm)))
            case .success(let response):
                let object = try? JSONDecoder().decode([String: JSONValue].self, from: response.body)
                guard response.status == 200, let token = object?["access_token"]?.stringValue, !token.isEmpty else {
                    throw TokenExchangeFailure(outcome: FCMOutcomeTable.outcome(
                        forTokenEndpointStatus: response.status == 200 ? 502 : response.status,
                        error: object?["error"]?.stringValue,
                        retryAfter: RetryAfter.delay(response.header("retry-after"), now: now())))
                }
                let lifetime = object?["expires_in"]?.integerValue ?? 3600
                return .init(credential: token, issuedAt: issuedAt, expiresAt: issuedAt.addingTimeInterval(Double(lifetime)))
            }
        }
    }
}
