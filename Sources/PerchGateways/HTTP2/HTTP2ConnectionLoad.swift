import Synchronization

/// What the pool reads of a connection from any thread, written by its handler on the event loop: how many
/// requests it carries, how many streams the peer allows at once (its SETTINGS), and whether it takes more.
final class HTTP2ConnectionLoad: Sendable {
    /// Until the peer's SETTINGS say otherwise (RFC 9113 recommends no fewer than 100).
    static let assumedMaximumStreams = 100

    private let inFlight = Atomic<Int>(0)
    private let maximumStreams = Atomic<Int>(HTTP2ConnectionLoad.assumedMaximumStreams)
    private let accepting = Atomic<Bool>(true)

    var requests: Int { inFlight.load(ordering: .relaxed) }
    var streamLimit: Int { maximumStreams.load(ordering: .relaxed) }
    var isAccepting: Bool { accepting.load(ordering: .relaxed) }
    /// Whether another request would wait for a stream.
    var isSaturated: Bool { requests >= streamLimit }

    func began() { inFlight.add(1, ordering: .relaxed) }
    func ended() { inFlight.subtract(1, ordering: .relaxed) }
    func setMaximumStreams(_ value: Int) { maximumStreams.store(max(1, value), ordering: .relaxed) }
    func stopAccepting() { accepting.store(false, ordering: .relaxed) }
}
