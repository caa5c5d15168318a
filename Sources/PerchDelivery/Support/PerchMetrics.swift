import Foundation
import PerchStore
import Prometheus
import Synchronization

/// Perch's Prometheus metrics — deliveries, gateway latencies, hygiene, the queue, and the API's requests and events —
/// served at `GET /metrics`. One registry per server,
/// not the process-wide `MetricsSystem`, so tests can run several servers side by side.
public final class PerchMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    package let registrations: Counter
    package let requests: DurationHistogram
    let hygieneStale: Counter
    let hygieneExpired: Counter
    package let eventsStored: Counter
    package let eventsRejected: Counter
    /// Label sets of the gauges sampled from the store last time, so a series that vanished (an emptied queue) reads 0.
    private let sampled = Mutex<(at: ContinuousClock.Instant?, queue: Set<[String]>, tokens: Set<[String]>)>((nil, [], []))

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        registrations = registry.makeCounter(descriptor: Self.name("registrations", "total", "Token registrations accepted"))
        requests = registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", "seconds", "HTTP request latency"),
            buckets: [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)]
        )
        let hygiene = Self.name("hygiene_tokens", "total", "Tokens moved by the hygiene job")
        hygieneStale = registry.makeCounter(descriptor: hygiene, labels: [("transition", "stale")])
        hygieneExpired = registry.makeCounter(descriptor: hygiene, labels: [("transition", "expired")])
        let events = Self.name("events", "total", "Client events by result")
        eventsStored = registry.makeCounter(descriptor: events, labels: [("result", "stored")])
        eventsRejected = registry.makeCounter(descriptor: events, labels: [("result", "rejected")])
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "perch", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one delivery's outcome (`accepted`, `retired`, `retry`, `suppressed`, …) on a platform, with its
    /// reason: the gateway's code (`BadDeviceToken`, `UNREGISTERED`, `410`) or the suppression's (`consent_denied`).
    package func delivery(platform: String, outcome: String, reason: String?) {
        registry.makeCounter(descriptor: Self.name("deliveries", "total", "Delivery outcomes by platform and reason"),
                             labels: [("platform", platform), ("outcome", outcome), ("reason", reason ?? "")]).increment()
    }

    /// Times one request to a gateway, from sending to its answer.
    package func gatewayLatency(platform: String, _ duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("gateway_request_duration", "seconds", "Time from sending a push to the gateway's answer"),
            labels: [("platform", platform)],
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]
        ).record(duration)
    }

    /// Samples the delivery queue and tokens by status from the store, at most every `maximumAge`:
    /// the same figures from whichever process Prometheus scrapes, as they live in the shared database.
    package func sample(_ store: any OperationsStore, now: Date, maximumAge: Duration = .seconds(5)) async {
        let clock = ContinuousClock()
        let due = sampled.withLock { state in
            guard let at = state.at, clock.now - at < maximumAge else { state.at = clock.now; return true }
            return false
        }
        guard due, let queue = try? await store.queueDepth(now: now), let tokens = try? await store.tokenCounts() else { return }
        let queueDescriptor = Self.name("delivery_queue", "", "Deliveries in the queue: due now, waiting for their time, held by a worker")
        let tokenDescriptor = Self.name("tokens", "", "Tokens by app, platform and status")
        var queueSeries: [[String]: Int] = [:]
        for depth in queue {
            queueSeries[[depth.appId, "due"]] = depth.due
            queueSeries[[depth.appId, "waiting"]] = depth.waiting
            queueSeries[[depth.appId, "in_flight"]] = depth.inFlight
        }
        var tokenSeries: [[String]: Int] = [:]
        for count in tokens { tokenSeries[[count.appId, count.platform.rawValue, count.status.rawValue]] = count.count }
        let (goneQueue, goneTokens) = sampled.withLock { state in
            defer { state.queue = Set(queueSeries.keys); state.tokens = Set(tokenSeries.keys) }
            return (state.queue.subtracting(queueSeries.keys), state.tokens.subtracting(tokenSeries.keys))
        }
        for labels in goneQueue { queueSeries[labels] = 0 }
        for labels in goneTokens { tokenSeries[labels] = 0 }
        for (labels, value) in queueSeries {
            registry.makeGauge(descriptor: queueDescriptor, labels: [("app", labels[0]), ("state", labels[1])]).set(Double(value))
        }
        for (labels, value) in tokenSeries {
            registry.makeGauge(descriptor: tokenDescriptor, labels: [("app", labels[0]), ("platform", labels[1]), ("status", labels[2])])
                .set(Double(value))
        }
    }

    /// The text exposition format.
    public func exposition() -> String {
        registry.emitToString()
    }
}
