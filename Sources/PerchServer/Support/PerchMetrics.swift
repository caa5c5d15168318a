import Prometheus

/// The server's Prometheus metrics, served at `GET /metrics`. One registry per server,
/// not the process-wide `MetricsSystem`, so tests can run several servers side by side.
public final class PerchMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let registrations: Counter
    let requests: DurationHistogram
    let hygieneStale: Counter
    let hygieneExpired: Counter
    let eventsStored: Counter
    let eventsRejected: Counter

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

    /// Counts one delivery's outcome (`accepted`, `retired`, `retry`, `suppressed`, …) on a platform.
    func delivery(platform: String, outcome: String) {
        registry.makeCounter(descriptor: Self.name("deliveries", "total", "Delivery outcomes by platform"),
                             labels: [("platform", platform), ("outcome", outcome)]).increment()
    }

    /// The text exposition format.
    public func exposition() -> String {
        registry.emitToString()
    }
}
