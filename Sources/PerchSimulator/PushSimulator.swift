import Crypto
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PerchCore
import ServiceLifecycle
import Synchronization
import _CryptoExtras

/// Local APNs, FCM and Web Push services over real HTTP/2 + TLS, for tests, the demo and benchmarks.
///
/// `start()` makes a CA and a server certificate, provider and service-account keys, and binds four
/// TLS listeners on loopback (APNs production, APNs sandbox, FCM, Web Push); it returns once they
/// listen. As a `Service`, `run()` starts it and closes it on graceful shutdown.
///
/// ```swift
/// let simulator = PushSimulator()
/// let endpoints = try await simulator.start()
/// // point a client at endpoints.apnsURL, trusting endpoints.caCertificatePEM …
/// try await simulator.shutdown()
/// ```
public final class PushSimulator: Service, Sendable {
    /// The configuration it was made with.
    public let configuration: SimulatorConfiguration
    let logger: Logger
    let state: SimulatorState
    private let lifecycle = SimulatorLifecycle()
    private let services = Mutex<SimulatorServices?>(nil)

    /// Makes a simulator; nothing is generated or bound until ``start()``.
    public init(configuration: SimulatorConfiguration = .init(), logger: Logger = Logger(label: "perch.simulator")) {
        self.configuration = configuration
        self.logger = logger
        self.state = SimulatorState(
            plan: configuration.faults, invalidTokens: configuration.invalidTokens,
            historyLimit: configuration.receivedHistoryLimit, tracksTokens: configuration.tracksTokens,
            now: configuration.now())
    }

    /// Generates the CA and keys, binds every listener and writes the state directory (if any).
    /// Returns once all listeners accept connections; later calls return the same endpoints.
    /// - Throws: ``SimulatorError`` for a non-loopback host or after shutdown; bind errors.
    @discardableResult
    public func start() async throws -> SimulatorEndpoints {
        try await lifecycle.start { [self] in try await self.launch() }.endpoints
    }

    /// Starts if needed and runs each listener as a `Service` until graceful shutdown (or
    /// cancellation); then closes every listener and connection.
    public func run() async throws {
        let running = try await lifecycle.start { [self] in try await self.launch() }
        do {
            try await withThrowingDiscardingTaskGroup { group in
                for listener in running.listeners {
                    group.addTask { try await listener.run() }
                }
            }
        } catch {
            try? await shutdown()
            throw error
        }
        try await shutdown()
    }

    /// Closes every listener and connection (stalled answers included). The simulator cannot restart.
    public func shutdown() async throws {
        try await lifecycle.shutdown()
    }

    /// The endpoints once started; `nil` before.
    public var endpoints: SimulatorEndpoints? {
        services.withLock { $0?.endpoints }
    }

    /// Whether `host` is a loopback address (`127.0.0.0/8`, `::1`) or `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
        }
        return false
    }

    // MARK: launching

    private func launch() async throws -> RunningSimulator {
        let configuration = configuration
        guard Self.isLoopback(configuration.host) else { throw SimulatorError.notLoopback(configuration.host) }

        let authority = try SimulatorCertificateAuthority(now: configuration.now())
        let providerKey = P256.Signing.PrivateKey()
        let serviceAccountKey = try Self.serviceAccountKey.get()
        let privateKeyId = SHA256.hash(data: serviceAccountKey.publicKey.derRepresentation)
            .prefix(20).map { String(format: "%02x", $0) }.joined()
        let http2Only = try NIOSSLContext(configuration: authority.makeServerTLSConfiguration(protocols: ["h2"]))
        let http2OrHTTP1 = try NIOSSLContext(
            configuration: authority.makeServerTLSConfiguration(protocols: ["h2", "http/1.1"]))

        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
        var listeners: [SimulatorListenerService] = []
        var urls: [SimulatorListener: String] = [:]
        do {
            let ports: [SimulatorListener: Int] = [
                .apnsProduction: configuration.apnsPort, .apnsSandbox: configuration.apnsSandboxPort,
                .fcm: configuration.fcmPort, .webPush: configuration.webPushPort,
            ]
            for listener in SimulatorListener.allCases {
                let channel = try await SimulatorServer.bind(
                    host: configuration.host, port: ports[listener] ?? 0, group: group,
                    maximumConcurrentStreams: configuration.maximumConcurrentStreams,
                    tls: listener.acceptsHTTP1 ? http2OrHTTP1 : http2Only,
                    listener: listener, logger: logger,
                    onConnection: { [state] in state.countConnection(listener.platform) }
                ) { [weak self] request, listener in
                    self?.route(request, on: listener)
                        ?? .respond(SimulatorResponse(status: 503), delay: .zero)
                }
                listeners.append(SimulatorListenerService(listener: listener, channel: channel))
                urls[listener] = Self.url(host: configuration.host, port: channel.localAddress?.port ?? 0)
            }
        } catch {
            for listener in listeners { try? await listener.channel.close() }
            try? await group.shutdownGracefully()
            throw error
        }

        let fcmURL = urls[.fcm]!
        let tokenURI = fcmURL + SimulatedFCM.tokenPath
        let clientEmail = "perch-simulator@\(configuration.fcmProjectId).iam.gserviceaccount.com"
        let serviceAccount: [String: String] = [
            "type": "service_account",
            "project_id": configuration.fcmProjectId,
            "private_key_id": privateKeyId,
            "private_key": serviceAccountKey.pkcs8PEMRepresentation,
            "client_email": clientEmail,
            "client_id": "100000000000000000001",
            "auth_uri": fcmURL + "/o/oauth2/auth",
            "token_uri": tokenURI,
        ]
        let serviceAccountJSON = String(
            decoding: try JSONSerialization.data(
                withJSONObject: serviceAccount, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
            as: UTF8.self)

        var endpoints = SimulatorEndpoints(
            apnsURL: urls[.apnsProduction]!,
            apnsSandboxURL: urls[.apnsSandbox]!,
            fcmURL: fcmURL,
            webPushURL: urls[.webPush]!,
            caCertificatePEM: authority.caCertificatePEM,
            caCertificatePath: nil,
            credentialsPath: nil,
            apns: APNsCredentials(
                teamId: configuration.apnsTeamId, keyId: configuration.apnsKeyId,
                privateKeyPEM: providerKey.pemRepresentation, topic: configuration.apnsTopic),
            fcmServiceAccountJSON: serviceAccountJSON,
            fcmProjectId: configuration.fcmProjectId)

        if let directory = configuration.stateDirectory {
            do {
                (endpoints.caCertificatePath, endpoints.credentialsPath) = try Self.writeStateFiles(
                    endpoints, host: configuration.host, serviceAccount: serviceAccount, to: directory)
            } catch {
                for listener in listeners { try? await listener.channel.close() }
                try? await group.shutdownGracefully()
                throw SimulatorError.stateDirectory(directory)
            }
        }

        let latency = configuration.latency
        let now = configuration.now
        let running = SimulatorServices(
            apns: SimulatedAPNs(
                teamId: configuration.apnsTeamId, keyId: configuration.apnsKeyId, topic: configuration.apnsTopic,
                providerKey: providerKey.publicKey, state: state, latency: latency,
                minimumProviderTokenInterval: configuration.minimumProviderTokenInterval,
                liveActivityBudget: LiveActivityBudget(perHour: configuration.liveActivityHighPriorityBudget), now: now),
            fcm: SimulatedFCM(
                projectId: configuration.fcmProjectId, clientEmail: clientEmail, privateKeyId: privateKeyId,
                serviceAccountKey: serviceAccountKey.publicKey, tokenURI: tokenURI, state: state,
                latency: latency, now: now),
            webPush: SimulatedWebPush(origin: endpoints.webPushURL, state: state, latency: latency, now: now),
            endpoints: endpoints)
        services.withLock { $0 = running }
        logger.info(
            "push simulator listening",
            metadata: [
                "apns": "\(endpoints.apnsURL)", "apns-sandbox": "\(endpoints.apnsSandboxURL)",
                "fcm": "\(endpoints.fcmURL)", "webpush": "\(endpoints.webPushURL)",
            ])
        return RunningSimulator(group: group, listeners: listeners, endpoints: endpoints)
    }

    /// The FCM service account's RSA-2048 key, generated once per process: RSA generation is slow in
    /// debug builds and test suites start many simulators. Each simulator's `token_uri` (the `aud`
    /// its assertions must carry) is still its own.
    private static let serviceAccountKey = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    static func url(host: String, port: Int) -> String {
        host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)"
    }

    // MARK: routing

    /// Where every request goes: `/_sim/…` to the control API, the rest to the listener's service.
    func route(_ request: SimulatorRequest, on listener: SimulatorListener) -> SimulatorAction {
        if request.path.hasPrefix("/_sim/") {
            return .respond(control(request, on: listener), delay: .zero)
        }
        guard let services = services.withLock({ $0 }) else {
            return .respond(SimulatorResponse(status: 503), delay: .zero)
        }
        switch listener {
        case .apnsProduction: return services.apns.handle(request, environment: .production)
        case .apnsSandbox: return services.apns.handle(request, environment: .sandbox)
        case .fcm: return services.fcm.handle(request)
        case .webPush: return services.webPush.handle(request)
        }
    }
}
