import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import PerchCore

/// One HTTP answer, fully read.
struct GatewayResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// Why no answer arrived.
enum GatewayTransportFailure: Error, Sendable {
    /// Nothing within the request timeout.
    case timeout
    /// The connection failed, was reset or refused; the detail is an error type name, never a URL or token.
    case transport(String)

    func reason(_ platform: Platform) -> DeliveryFailureReason {
        switch self {
        case .timeout: .timeout(platform)
        case .transport(let detail): .transport(platform, detail: detail)
        }
    }
}

/// The HTTP side every gateway client shares: requests to the gateway's own origin (APNs, FCM) go over the
/// frame-level HTTP/2 pool; any other URL (OAuth, Web Push endpoints) over one `HTTPClient` (HTTP/2 when the server
/// offers it). A per-gateway CA (so an `endpoint` override can trust its own) and a deadline on every request.
struct GatewayTransport: Sendable {
    /// Responses larger than this are cut off; gateway answers are a few hundred bytes.
    static let maximumResponseBytes = 64 * 1024

    let httpClient: HTTPClient
    let tlsConfiguration: TLSConfiguration?
    let timeout: Duration
    /// The pool, the gateway's own origin and the path its URLs start with, for ``post(path:headers:body:)``.
    let gateway: (pool: HTTP2ConnectionPool, origin: HTTP2Origin, basePath: String)?

    /// - Parameter gateway: the pool and the gateway's base URL (`https://host[:port][/path]`) for ``post(path:headers:body:)``.
    init(
        httpClient: HTTPClient, gateway: (pool: HTTP2ConnectionPool, baseURL: String)? = nil, caCertificatePEM: String?,
        timeout: Duration
    ) throws(GatewayConfigurationError) {
        self.httpClient = httpClient
        self.timeout = timeout
        if let gateway {
            guard let origin = HTTP2Origin(url: gateway.baseURL, caCertificatePEM: caCertificatePEM),
                  let path = URLComponents(string: gateway.baseURL)?.path
            else { throw .invalidEndpoint("endpoint") }
            self.gateway = (gateway.pool, origin, path.hasSuffix("/") ? String(path.dropLast()) : path)
        } else {
            self.gateway = nil
        }
        if let pem = caCertificatePEM, !pem.isEmpty {
            let certificates: [NIOSSLCertificate]
            do { certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) } catch { throw .invalidCACertificate }
            guard !certificates.isEmpty else { throw .invalidCACertificate }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(certificates)
            self.tlsConfiguration = tls
        } else {
            self.tlsConfiguration = nil
        }
    }

    /// POSTs to `path` on the gateway's own origin over the HTTP/2 pool and reads the whole answer.
    func post(path: String, headers: HTTPHeaders, body: Data) async -> Result<GatewayResponse, GatewayTransportFailure> {
        guard let (pool, origin, basePath) = gateway else { preconditionFailure("a transport without a gateway origin") }
        let request = HTTP2Request(
            method: "POST", origin: origin, path: basePath + path, headers: headers.map { ($0.name, $0.value) },
            body: ByteBuffer(bytes: body), deadline: .now() + TimeAmount(timeout))
        return await pool.execute(request, on: origin).mapError(\.transportFailure)
    }

    /// Sends one request and reads the whole answer, or fails with a timeout or transport failure.
    /// `client` replaces the shared client for this request (one pinned to a checked address).
    func execute(
        url: String,
        method: HTTPMethod = .POST,
        headers: HTTPHeaders,
        body: Data,
        logger: Logger,
        client: HTTPClient? = nil
    ) async -> Result<GatewayResponse, GatewayTransportFailure> {
        let httpClient = client ?? self.httpClient
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        request.body = .bytes(ByteBuffer(bytes: body))
        request.tlsConfiguration = tlsConfiguration
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        // AHC's trace and debug lines can carry the request head, whose path holds an APNs token or a Web Push
        // endpoint: it only ever gets info and above.
        var clientLogger = logger
        if clientLogger.logLevel < .info { clientLogger.logLevel = .info }
        // A request handed to a connection that had just been closed (reset, GOAWAY) fails with a ChannelError
        // before anything reaches the wire; it is safe to send again, and the pool then opens a new connection.
        // Anything that may have reached the server is not resent here: the outcome says retry.
        var unsentAttempts = 0
        while true {
            do {
                let response = try await httpClient.execute(request, deadline: deadline, logger: clientLogger)
                let bytes = try await response.body.collect(upTo: Self.maximumResponseBytes)
                return .success(GatewayResponse(
                    status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView)))
            } catch let error as HTTPClientError {
                if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout || error == .writeTimeout
                    || error == .tlsHandshakeTimeout || NIODeadline.now() >= deadline
                {
                    return .failure(.timeout)
                }
                return .failure(.transport("HTTPClientError: " + error.shortDescription))
            } catch let error as ChannelError where Self.isUnsent(error) && unsentAttempts < 2 && NIODeadline.now() < deadline {
                unsentAttempts += 1
                continue
            } catch {
                if NIODeadline.now() >= deadline { return .failure(.timeout) }
                return .failure(.transport(String(describing: type(of: error))))
            }
        }
    }

    static func isUnsent(_ error: ChannelError) -> Bool {
        switch error {
        case .ioOnClosedChannel, .outputClosed, .alreadyClosed: true
        default: false
        }
    }
}

extension Duration {
    var secondsValue: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
