import Foundation
import NIOCore
import PerchCore

/// How a ``PushSimulator`` listens and misbehaves. Every field has a default.
public struct SimulatorConfiguration: Sendable {
    /// The address every listener binds. Only loopback addresses are accepted by ``PushSimulator/start()``.
    public var host: String = "127.0.0.1"
    /// APNs production listener port; 0 picks an ephemeral port.
    public var apnsPort = 0
    /// APNs sandbox (development) listener port; 0 picks an ephemeral port.
    public var apnsSandboxPort = 0
    /// FCM (OAuth token endpoint and HTTP v1 API) listener port; 0 picks an ephemeral port.
    public var fcmPort = 0
    /// Web Push (push service) listener port; 0 picks an ephemeral port.
    public var webPushPort = 0
    /// The streams one HTTP/2 connection may carry at once (SETTINGS_MAX_CONCURRENT_STREAMS); Apple advertises 1000.
    public var maximumConcurrentStreams = 1000
    /// Added before every push answer (not before `/_sim` or OAuth answers).
    public var latency: Duration = .zero
    /// Faults at random rates, parsed from the CLI `--faults` spec.
    public var faults: FaultPlan = .none
    /// Where `ca.pem` and `credentials.json` are written at start; nothing is written when `nil`.
    public var stateDirectory: String? = nil
    /// Tokens that are dead from the start, per platform (Web Push: endpoint URLs).
    public var invalidTokens: [Platform: Set<String>] = [:]
    /// The APNs topic (bundle id) the provider key may push to. Its `.voip`, `.complication`,
    /// `.pushkit.fileprovider` and `.push-type.liveactivity` variants are allowed too.
    public var apnsTopic = "com.example.perch"
    /// The APNs team id (`iss` of provider tokens).
    public var apnsTeamId = "SIMTEAM001"
    /// The APNs key id (`kid` of provider tokens).
    public var apnsKeyId = "SIMKEY0001"
    /// When set, a new APNs provider token arriving sooner than this after the previous new one is
    /// answered 429 `TooManyProviderTokenUpdates`, as Apple does for tokens refreshed more often than
    /// every 20 minutes. Off by default so tests may mint tokens freely; set `.seconds(1200)` to hold a
    /// client to Apple's rule.
    public var minimumProviderTokenInterval: Duration? = nil
    /// How many priority-10 Live Activity updates one activity token may take per hour; beyond it APNs answers 429
    /// `TooManyRequests` (Apple budgets them per device and does not publish the number). Priority 5 is not counted.
    public var liveActivityHighPriorityBudget = 60
    /// The FCM project id of the generated service account.
    public var fcmProjectId = "perch-simulator"
    /// How many accepted pushes per platform ``PushSimulator/received(platform:)`` keeps (oldest dropped).
    public var receivedHistoryLimit = 10_000
    /// Whether `perToken` and `duplicates` are counted. Both keep memory per distinct token and payload;
    /// a benchmark pushing millions of messages can turn this off (and set `receivedHistoryLimit` to 0)
    /// so the simulator's memory stays flat.
    public var tracksTokens = true
    /// Threads of the simulator's own event loop group.
    public var eventLoopThreads = min(System.coreCount, 4)
    /// Wall-clock time for JWT `iat`/`exp` checks, 410 timestamps and token expiry.
    public var now: @Sendable () -> Date = { Date() }

    /// The defaults: ephemeral ports on 127.0.0.1, no latency, no faults, no state directory.
    public init() {}
}
