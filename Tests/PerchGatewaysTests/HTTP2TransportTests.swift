import Foundation
import Logging
import NIOCore
import NIOPosix
import PerchCore
import PerchSimulator
import Testing

@testable import PerchGateways

/// The frame-level HTTP/2 client APNs and FCM are sent through, against the simulator's real HTTP/2 + TLS server:
/// streams up to what the peer's SETTINGS allow, more connections when those are taken, and no request lost to a
/// GOAWAY.
@Suite("HTTP/2 transport to the gateways")
struct HTTP2TransportTests {
    func sendAll(_ count: Int, with apns: APNsClient) async -> [DeliveryOutcome] {
        await withTaskGroup(of: DeliveryOutcome.self) { group in
            for _ in 0..<count { group.addTask { await apns.send(sale, to: .apns(token: apnsToken(), environment: .production)) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    func refused(_ outcomes: [DeliveryOutcome]) -> [DeliveryOutcome] {
        outcomes.filter { if case .accepted = $0 { false } else { true } }
    }

    @Test("requests within the peer's stream limit share one connection")
    func oneConnection() async throws {
        try await SimulatorHarness.run { sim in
            let outcomes = await sendAll(200, with: try sim.apns())
            #expect(refused(outcomes).isEmpty)
            #expect(sim.simulator.counters(platform: .apns).connections == 1)
            #expect(sim.simulator.counters(platform: .apns).accepted == 200)
        }
    }

    @Test("when every connection carries as many requests as the peer allows streams, more are opened, up to the limit")
    func moreConnections() async throws {
        try await SimulatorHarness.run(configure: { simulator in
            simulator.maximumConcurrentStreams = 10
            simulator.latency = .seconds(1)  // keeps 40 requests in flight at once, even on a loaded machine
        }) { sim in
            let outcomes = await sendAll(40, with: try sim.apns())
            #expect(refused(outcomes).isEmpty, "\(refused(outcomes).first.map { "\($0)" } ?? "")")
            #expect(sim.simulator.counters(platform: .apns).connections == sim.gateways.http2.configuration.maximumConnectionsPerOrigin)
            #expect(sim.simulator.counters(platform: .apns).accepted == 40)
        }
    }

    @Test("beyond the last connection's streams, requests wait for a stream and are all answered")
    func queuedBeyondTheLimit() async throws {
        try await SimulatorHarness.run(configure: { simulator in
            simulator.maximumConcurrentStreams = 5
            simulator.latency = .milliseconds(50)
        }) { sim in
            let outcomes = await sendAll(100, with: try sim.apns())
            #expect(refused(outcomes).isEmpty, "\(refused(outcomes).first.map { "\($0)" } ?? "")")
            #expect(sim.simulator.counters(platform: .apns).connections == sim.gateways.http2.configuration.maximumConnectionsPerOrigin)
            #expect(sim.simulator.counters(platform: .apns).accepted == 100)
        }
    }

    @Test("a GOAWAY loses nothing: requests the server did not process go again on a new connection")
    func goAway() async throws {
        try await SimulatorHarness.run(configure: { $0.latency = .milliseconds(100) }) { sim in
            let apns = try sim.apns()
            _ = await sendAll(1, with: apns)
            sim.simulator.inject(.goAway, platform: .apns)
            let outcomes = await sendAll(30, with: apns)
            #expect(refused(outcomes).isEmpty, "\(refused(outcomes).first.map { "\($0)" } ?? "")")
            #expect(sim.simulator.counters(platform: .apns).connections >= 2)
        }
    }

    @Test("a server that does not answer within the deadline: the request times out and the connection stays usable")
    func timeoutKeepsTheConnection() async throws {
        try await SimulatorHarness.run { sim in
            let apns = try sim.apns(timeout: .seconds(1))
            _ = await sendAll(1, with: apns)
            sim.simulator.inject(.stall, platform: .apns)
            let stalled = await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(stalled == .retry(after: nil, reason: .timeout(.apns)))
            #expect(refused(await sendAll(5, with: apns)).isEmpty)
            #expect(sim.simulator.counters(platform: .apns).connections == 1)
        }
    }

    @Test("a server that is not there: a transport failure naming no address")
    func refusedConnection() async throws {
        try await SimulatorHarness.run { sim in
            var configuration = sim.apnsConfiguration(timeout: .seconds(5))
            configuration.endpoint = "https://127.0.0.1:1"
            let outcome = await (try sim.gateways.apns(configuration)).send(sale, to: .apns(token: apnsToken(), environment: .production))
            guard case .retry(_, let reason) = outcome else { Issue.record("expected a retry, got \(outcome)"); return }
            #expect(reason.status == nil)
            #expect(!(reason.detail ?? "").contains("127.0.0.1"))
        }
    }

    @Test("a server that accepts TCP but never completes TLS: a timeout after the connect timeout, not a hang")
    func silentServer() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        try await SimulatorHarness.run { sim in
            let gateways = PushGateways(logger: Logger(label: "perch.test.gateways"), connectTimeout: .seconds(1))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await gateways.run() }
                defer { group.cancelAll() }
                var configuration = sim.apnsConfiguration(timeout: .seconds(30))
                configuration.endpoint = "https://127.0.0.1:\(port)"
                let outcome = await (try gateways.apns(configuration)).send(sale, to: .apns(token: apnsToken(), environment: .production))
                #expect(outcome == .retry(after: nil, reason: .timeout(.apns)))
            }
        }
        try await silent.close()
    }
}
