import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Perch's client for apps: registers this installation's push token and tells Perch who the
/// user is, what they consented to and what they did.
///
/// ```swift
/// let perch = PerchClient(configuration: .init(baseURL: URL(string: "https://push.example.com")!, publishableKey: "pk_…"))
/// // in application(_:didRegisterForRemoteNotificationsWithDeviceToken:)
/// try await perch.register(apnsToken: deviceToken, environment: .production)
/// // after sign-in, with a userAuth token your backend minted for this user
/// try await perch.identify(userId: "user-42", userAuth: userAuthFromYourBackend)
/// ```
///
/// The installation id is generated once and kept in ``InstallationStorage``. Every call retries
/// network failures, 5xx and 429 answers with exponential backoff and jitter (honouring
/// `Retry-After`), and never a 4xx — those throw a ``PerchClientError`` at once.
public actor PerchClient {
    /// Storage keys.
    static let installationIdKey = "perch.installationId"
    static let lastTokenKey = "perch.lastToken"

    public let configuration: Configuration
    let storage: any InstallationStorage
    let session: URLSession
    let clock: any Clock<Duration>
    let randomUnit: @Sendable () -> Double
    let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Creates a client.
    /// - Parameters:
    ///   - storage: where the installation id is kept; the standard `UserDefaults` by default.
    ///   - session: the `URLSession` requests go through.
    ///   - clock: the clock retries wait on.
    ///   - randomUnit: draws the jitter, uniformly in `0..<1`.
    public init(configuration: Configuration, storage: any InstallationStorage = UserDefaultsInstallationStorage(),
                session: URLSession = .shared, clock: any Clock<Duration> = ContinuousClock(),
                randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.configuration = configuration
        self.storage = storage
        self.session = session
        self.clock = clock
        self.randomUnit = randomUnit
    }

    /// This installation's id: generated (a UUID) on first use and stored, so it outlives tokens.
    public func installationId() throws -> String {
        if let stored = storage.string(forKey: Self.installationIdKey), !stored.isEmpty { return stored }
        let fresh = UUID().uuidString
        do {
            try storage.set(fresh, forKey: Self.installationIdKey)
        } catch {
            throw PerchClientError(.invalidArgument, "the installation id could not be stored: \(error)")
        }
        return fresh
    }

    /// Sends `body` to `path` with the retry policy, and decodes a 2xx answer as `Answer`.
    func send<Answer: Decodable>(_ method: String, _ path: String, body: (some Encodable)?, as answer: Answer.Type) async throws -> (Answer, status: Int) {
        var request = URLRequest(url: configuration.baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = configuration.timeout
        request.setValue("Bearer \(configuration.publishableKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue(configuration.userAgent, forHTTPHeaderField: "User-Agent")
        if let body {
            request.httpBody = try encoder.encode(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, status) = try await perform(request)
        guard (200...299).contains(status) else { throw Self.error(status: status, data: data, attempts: 1) }
        do {
            return (try JSONDecoder().decode(Answer.self, from: data), status)
        } catch {
            throw PerchClientError(.invalidResponse, "the answer to \(method) \(path) could not be read", status: status)
        }
    }

    /// One request through the retry state machine; answers the final status and body.
    private func perform(_ request: URLRequest) async throws -> (Data, Int) {
        var machine = RetryStateMachine(policy: configuration.retry)
        while true {
            let result: RetryStateMachine.AttemptResult
            var answer: (Data, Int)?
            var failure: (any Error)?
            do {
                let (data, response) = try await session.data(for: request)
                guard let http = response as? HTTPURLResponse else {
                    throw PerchClientError(.invalidResponse, "the answer is not HTTP")
                }
                answer = (data, http.statusCode)
                let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { RetryAfterHeader.delay($0, now: Date()) }
                result = .answered(status: http.statusCode, retryAfter: retryAfter)
            } catch let error as PerchClientError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as URLError where !Self.isRetryable(error) {
                throw PerchClientError(.network, "the request failed: \(error.code.rawValue) \(error.localizedDescription)")
            } catch {
                failure = error
                result = .networkFailure
            }
            switch machine.next(after: result, randomUnit: randomUnit()) {
            case .finish:
                if let answer { return answer }
                throw PerchClientError(.invalidResponse, "no answer")
            case .retry(let delay):
                try await clock.sleep(for: delay)
            case .giveUp:
                if let (data, status) = answer { throw Self.error(status: status, data: data, attempts: machine.attempts) }
                let reason = (failure as? URLError).map { "URLError \($0.code.rawValue)" } ?? failure.map { "\(type(of: $0))" } ?? "unknown"
                throw PerchClientError(.network, "Perch could not be reached (\(reason))", attempts: machine.attempts)
            }
        }
    }

    /// URL errors worth another attempt: everything about reaching the server, nothing about the request itself.
    static func isRetryable(_ error: URLError) -> Bool {
        switch error.code {
        case .cancelled, .badURL, .unsupportedURL, .userCancelledAuthentication, .userAuthenticationRequired,
             .appTransportSecurityRequiresSecureConnection, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired:
            false
        default:
            true
        }
    }

    /// The error for a final non-2xx answer, with Perch's `{"error": {code, message, field}}` when present.
    static func error(status: Int, data: Data, attempts: Int) -> PerchClientError {
        let body = try? JSONDecoder().decode(PerchValue.self, from: data)
        let serverCode = body?["error"]?["code"]?.stringValue
        let message = body?["error"]?["message"]?.stringValue ?? HTTPURLResponse.localizedString(forStatusCode: status)
        let field = body?["error"]?["field"]?.stringValue
        let code: PerchClientError.Code =
            switch status {
            case 401, 403: .unauthorized
            case 429, 500...599: .server
            default: .rejected
            }
        return PerchClientError(code, message, status: status, serverCode: serverCode, field: field, attempts: attempts)
    }
}
