import AsyncHTTPClient
import Logging
import NIOCore
import Synchronization

/// HTTP clients that connect a host name to one fixed address: AsyncHTTPClient's `dnsOverride` maps the name to the
/// address for the connection only, so SNI, certificate verification and `Host`/`:authority` still use the name.
///
/// `dnsOverride` belongs to a client's configuration, so there is one client per (host, address) pair, built on the
/// shared event loops and kept while used; the least recently used is shut down past ``capacity`` (a request still in
/// flight on it then fails as a transport error and is retried). Push services answer from a few stable addresses and
/// the resolver's cache keeps the pinned address while it still resolves, so the set stays small.
final class PinnedHTTPClients: Sendable {
    private struct Key: Hashable {
        var host: String
        var address: String
    }
    private struct Entry {
        var client: HTTPClient
        var lastUsed: UInt64
    }
    private struct State {
        var entries: [Key: Entry] = [:]
        var tick: UInt64 = 0
        var closed = false
    }

    static let capacity = 64

    private let eventLoopGroup: any EventLoopGroup
    private let configuration: HTTPClient.Configuration
    private let state = Mutex(State())

    init(eventLoopGroup: any EventLoopGroup, configuration: HTTPClient.Configuration) {
        self.eventLoopGroup = eventLoopGroup
        self.configuration = configuration
    }

    /// The client that connects `host` to `address`; `nil` once shut down. `host` is exactly the request URL's host
    /// (AsyncHTTPClient looks the override up by it, case and all).
    func client(host: String, address: String) -> HTTPClient? {
        let key = Key(host: host, address: address)
        let (client, evicted) = state.withLock { state -> (HTTPClient?, HTTPClient?) in
            guard !state.closed else { return (nil, nil) }
            state.tick += 1
            if var entry = state.entries[key] {
                entry.lastUsed = state.tick
                state.entries[key] = entry
                return (entry.client, nil)
            }
            var evicted: HTTPClient?
            if state.entries.count >= Self.capacity, let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                evicted = oldest.value.client
                state.entries[oldest.key] = nil
            }
            var configuration = self.configuration
            configuration.dnsOverride = [key.host: address]
            let client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
            state.entries[key] = Entry(client: client, lastUsed: state.tick)
            return (client, evicted)
        }
        if let evicted {
            // Not awaited: the caller's send must not wait for another host's connections to close.
            Task { try? await evicted.shutdown() }
        }
        return client
    }

    /// How many pinned clients are open.
    var count: Int { state.withLock { $0.entries.count } }

    /// Shuts every client down; later requests get no client.
    func shutdown() async {
        let clients = state.withLock { state -> [HTTPClient] in
            state.closed = true
            defer { state.entries = [:] }
            return state.entries.values.map(\.client)
        }
        for client in clients { try? await client.shutdown() }
    }
}
