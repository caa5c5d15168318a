import Foundation
import Synchronization
import Testing

@testable import PerchSimulator

/// The APNs simulator holds Live Activity and VoIP pushes to Apple's rules: each push type to its own topic, a Live
/// Activity's priority, payload shape and hourly budget, and VoIP's 5 KB.
@Suite("APNs simulator: Live Activities and VoIP")
struct APNsLiveActivitySimulatorTests {
    static func payload(_ aps: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: ["aps": aps])
    }
    static let update = payload(["event": "update", "timestamp": 1_800_000_000, "content-state": ["eta": 5]])
    static let start = payload(["event": "start", "timestamp": 1_800_000_000, "content-state": ["eta": 5],
                                "attributes-type": "DeliveryAttributes", "attributes": ["order": "A-1"]])

    func liveActivity(_ harness: SimulatorHarness, payload: Data = Self.update, topicSuffix: String = ".push-type.liveactivity",
                      priority: String? = "10", token: String = SimulatorHarness.deviceToken, at: Date = Date()) async throws -> TestResponse {
        var headers = [("apns-push-type", "liveactivity"), ("apns-topic", harness.endpoints.apns.topic + topicSuffix)]
        if let priority { headers.append(("apns-priority", priority)) }
        return try await harness.apnsPush(token: token, payload: payload, headers: headers,
                                          authorization: "bearer \(try harness.providerToken(issuedAt: at))")
    }

    @Test("a Live Activity start and update to the liveactivity topic are accepted")
    func accepted() async throws {
        try await withSimulator { harness async throws in
            #expect(try await liveActivity(harness, payload: Self.start).status == 200)
            #expect(try await liveActivity(harness, priority: "5").status == 200)
            #expect(try await liveActivity(harness, priority: nil).status == 200)
            #expect(harness.simulator.received(platform: .apns).count == 3)
        }
    }

    @Test("each push type goes to its own topic: TopicDisallowed to the bare topic, InvalidPushType to another type's")
    func topics() async throws {
        try await withSimulator { harness async throws in
            let bare = try await liveActivity(harness, topicSuffix: "")
            #expect(bare.status == 400 && bare.reason == "TopicDisallowed")
            let alertToLiveActivityTopic = try await harness.apnsPush(headers: [
                ("apns-topic", harness.endpoints.apns.topic + ".push-type.liveactivity")])
            #expect(alertToLiveActivityTopic.status == 400 && alertToLiveActivityTopic.reason == "InvalidPushType")
            let voipToBare = try await harness.apnsPush(headers: [("apns-push-type", "voip")])
            #expect(voipToBare.status == 400 && voipToBare.reason == "TopicDisallowed")
            let alertToVoIP = try await harness.apnsPush(headers: [("apns-topic", harness.endpoints.apns.topic + ".voip")])
            #expect(alertToVoIP.status == 400 && alertToVoIP.reason == "InvalidPushType")
            let voip = try await harness.apnsPush(headers: [("apns-push-type", "voip"), ("apns-topic", harness.endpoints.apns.topic + ".voip")])
            #expect(voip.status == 200)
            #expect(harness.simulator.received(platform: .apns).count == 1)
        }
    }

    @Test("a Live Activity at priority 1 is BadPriority")
    func priority() async throws {
        try await withSimulator { harness async throws in
            let low = try await liveActivity(harness, priority: "1")
            #expect(low.status == 400 && low.reason == "BadPriority")
        }
    }

    @Test("a Live Activity payload without event, timestamp or content-state, or a start without attributes, is refused")
    func payloadShape() async throws {
        try await withSimulator { harness async throws in
            let broken: [Data] = [
                Self.payload(["timestamp": 1_800_000_000, "content-state": ["eta": 5]]),
                Self.payload(["event": "pause", "timestamp": 1_800_000_000, "content-state": ["eta": 5]]),
                Self.payload(["event": "update", "content-state": ["eta": 5]]),
                Self.payload(["event": "update", "timestamp": 1_800_000_000]),
                Self.payload(["event": "start", "timestamp": 1_800_000_000, "content-state": ["eta": 5]]),
                Self.payload(["event": "start", "timestamp": 1_800_000_000, "content-state": ["eta": 5], "attributes-type": "DeliveryAttributes"]),
                Data(#"{"aps":"update"}"#.utf8),
            ]
            for payload in broken {
                let answer = try await liveActivity(harness, payload: payload)
                #expect(answer.status == 400 && answer.reason == "InvalidLiveActivityPayload", "\(String(decoding: payload, as: UTF8.self))")
            }
            #expect(harness.simulator.received(platform: .apns).isEmpty)
        }
    }

    @Test("VoIP takes 5120 bytes, one more is PayloadTooLarge; other push types stop at 4096")
    func voipSize() async throws {
        try await withSimulator { harness async throws in
            func body(_ size: Int) -> Data {
                let skeleton = #"{"aps":{},"call":""}"#
                return Data(#"{"aps":{},"call":"\#(String(repeating: "x", count: size - skeleton.utf8.count))"}"#.utf8)
            }
            let voipHeaders = [("apns-push-type", "voip"), ("apns-topic", harness.endpoints.apns.topic + ".voip"), ("apns-priority", "10")]
            #expect(try await harness.apnsPush(payload: body(5120), headers: voipHeaders).status == 200)
            let tooLarge = try await harness.apnsPush(payload: body(5121), headers: voipHeaders)
            #expect(tooLarge.status == 413 && tooLarge.reason == "PayloadTooLarge")
            let alert = try await harness.apnsPush(payload: body(4097))
            #expect(alert.status == 413 && alert.reason == "PayloadTooLarge")
        }
    }

    @Test("priority-10 Live Activity updates are budgeted per token and hour; priority 5 and other tokens are not held back")
    func budget() async throws {
        let clock = SimulatorClock()
        try await withSimulator({ configuration in
            configuration.liveActivityHighPriorityBudget = 3
            configuration.now = { clock.now }
        }) { harness async throws in
            for _ in 0..<3 { #expect(try await liveActivity(harness, at: clock.now).status == 200) }
            let over = try await liveActivity(harness, at: clock.now)
            #expect(over.status == 429 && over.reason == "TooManyRequests")
            #expect(try await liveActivity(harness, priority: "5", at: clock.now).status == 200, "priority 5 is not budgeted")
            #expect(try await liveActivity(harness, token: String(repeating: "cd", count: 32), at: clock.now).status == 200, "the budget is per token")
            clock.advance(by: 3601)
            #expect(try await liveActivity(harness, at: clock.now).status == 200, "an hour later the budget is back")
        }
    }
}

/// A clock for the simulator's `now` that a test moves forward (provider tokens are signed at its time too).
final class SimulatorClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}
