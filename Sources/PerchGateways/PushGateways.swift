import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PerchCore
import ServiceLifecycle

/// The owner of the gateways' HTTP resources, from which per-app gateways are built: the HTTP/2 connections to
/// APNs and FCM (frame-level, several per origin, as many streams as each peer allows) and one shared
/// `HTTPClient` for everything else (OAuth, Web Push endpoints; redirects refused).
///
/// Run it in the application's `ServiceGroup`; on graceful shutdown or cancellation it closes every connection.
/// Gateways are cheap values: build one per app configuration and keep it as long as the configuration holds
/// (its provider/access/VAPID token cache lives in it).
public final class PushGateways: Service, Sendable {
    /// The shared HTTP client.
    public let httpClient: HTTPClient
    /// APNs' and FCM's connections.
    let http2: HTTP2ConnectionPool
    /// Clients that connect a Web Push host to the address its check approved.
    let pinnedClients: PinnedHTTPClients
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates the shared client. Nothing runs until ``run()``.
    ///
    /// - Parameters:
    ///   - eventLoopGroup: where connections live.
    ///   - logger: the gateways' logger (never given tokens or keys).
    ///   - now: the wall clock for JWT `iat`/`exp` and credential renewal; injected in tests.
    ///   - connectTimeout: how long a new connection (TCP + TLS) may take.
    ///   - connectionsPerOrigin: APNs or FCM connections opened at most, each when the others carry as many requests
    ///     as their peer allows streams.
    public init(
        eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        connectTimeout: Duration = .seconds(10),
        connectionsPerOrigin: Int = 4
    ) {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .automatic
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: TimeAmount(connectTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(300))
        self.httpClient = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
        self.pinnedClients = PinnedHTTPClients(eventLoopGroup: eventLoopGroup, configuration: configuration)
        self.http2 = HTTP2ConnectionPool(group: eventLoopGroup, configuration: .init(
            maximumConnectionsPerOrigin: max(1, connectionsPerOrigin),
            connectTimeout: TimeAmount(connectTimeout)))
        self.logger = logger
        self.now = now
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the HTTP client down.
    public func run() async throws {
        try? await gracefulShutdown()
        await http2.shutdown()
        await pinnedClients.shutdown()
        try await httpClient.shutdown()
    }

    /// Runs `body` with gateways that are shut down when it returns: for one-shot tools such as `perch send`,
    /// where no `ServiceGroup` runs.
    public static func withGateways<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PushGateways) async throws -> Result
    ) async throws -> Result {
        let gateways = PushGateways(logger: logger)
        let result: Result
        do {
            result = try await body(gateways)
        } catch {
            await gateways.http2.shutdown()
            await gateways.pinnedClients.shutdown()
            try? await gateways.httpClient.shutdown()
            throw error
        }
        await gateways.http2.shutdown()
        await gateways.pinnedClients.shutdown()
        try await gateways.httpClient.shutdown()
        return result
    }

    /// An APNs gateway for one app.
    public func apns(_ configuration: APNsConfiguration) throws(GatewayConfigurationError) -> APNsClient {
        try APNsClient(configuration: configuration, httpClient: httpClient, http2: http2, logger: logger, now: now)
    }

    /// An FCM HTTP v1 gateway for one app.
    public func fcm(_ configuration: FCMConfiguration) throws(GatewayConfigurationError) -> FCMClient {
        try FCMClient(configuration: configuration, httpClient: httpClient, http2: http2, logger: logger, now: now)
    }

    /// A Web Push gateway for one app.
    ///
    /// - Parameter endpointCheck: called with every endpoint before it is contacted (the SSRF policy: which hosts,
    ///   which addresses); its ``WebPushEndpointClearance`` says whether and where to connect.
    public func webPush(
        _ configuration: WebPushConfiguration,
        endpointCheck: @escaping WebPushClient.EndpointCheck = { _ in .connect }
    ) throws(GatewayConfigurationError) -> WebPushClient {
        try WebPushClient(configuration: configuration, httpClient: httpClient, pinnedClients: pinnedClients, endpointCheck: endpointCheck,
                          logger: logger, now: now)
    }

    /// A gateway for any platform's configuration.
    public func gateway(
        for configuration: GatewayConfiguration,
        endpointCheck: @escaping WebPushClient.EndpointCheck = { _ in .connect }
    ) throws(GatewayConfigurationError) -> any PushGateway {
        switch configuration {
        case .apns(let apns): try self.apns(apns)
        case .fcm(let fcm): try self.fcm(fcm)
        case .webPush(let webPush): try self.webPush(webPush, endpointCheck: endpointCheck)
        }
    }
}

/// One app's settings for one platform.
public enum GatewayConfiguration: Sendable, Hashable {
    case apns(APNsConfiguration)
    case fcm(FCMConfiguration)
    case webPush(WebPushConfiguration)

    /// The platform configured.
    public var platform: Platform {
        switch self {
        case .apns: .apns
        case .fcm: .fcm
        case .webPush: .webpush
        }
    }
}
