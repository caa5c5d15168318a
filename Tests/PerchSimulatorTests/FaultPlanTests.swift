import PerchCore
import Testing

@testable import PerchSimulator

@Suite("FaultPlan: the --faults grammar")
struct FaultPlanTests {
    @Test("the documented example parses into one rule per item, in order")
    func documentedExample() throws {
        let plan = try FaultPlan(parsing: "apns:429@0.05,fcm:503@0.01,webpush:reset@0.01,apns:stall@0.001,apns:invalid@0.02")
        #expect(plan.rules == [
            .init(platform: .apns, effect: .fault(.status(429, reason: nil, retryAfter: 1)), rate: 0.05),
            .init(platform: .fcm, effect: .fault(.status(503, reason: nil, retryAfter: nil)), rate: 0.01),
            .init(platform: .webpush, effect: .fault(.reset), rate: 0.01),
            .init(platform: .apns, effect: .fault(.stall), rate: 0.001),
            .init(platform: .apns, effect: .invalidToken, rate: 0.02),
        ])
        #expect(plan.seed == FaultPlan.defaultSeed)
    }

    @Test("Retry-After, percentages, the * platform, spaces and a seed")
    func extendedForms() throws {
        let plan = try FaultPlan(parsing: " *:429=30@5% , fcm:500@1, seed=42 ")
        #expect(plan.rules == [
            .init(platform: nil, effect: .fault(.status(429, reason: nil, retryAfter: 30)), rate: 0.05),
            .init(platform: .fcm, effect: .fault(.status(500, reason: nil, retryAfter: nil)), rate: 1),
        ])
        #expect(plan.seed == 42)
    }

    @Test("an empty spec is no faults")
    func emptySpec() throws {
        #expect(try FaultPlan(parsing: "").rules.isEmpty)
    }

    @Test(
        "malformed items are refused with the item named",
        arguments: [
            "apns:429", "apns429@0.1", "gcm:429@0.1", "apns:200@0.1", "apns:teapot@0.1", "apns:429@1.5",
            "apns:429@-0.1", "apns:429=-1@0.1", "apns:429@x", "seed=abc",
        ])
    func malformed(spec: String) {
        #expect(throws: FaultPlanParseError.self) { try FaultPlan(parsing: spec) }
        do {
            _ = try FaultPlan(parsing: spec)
        } catch {
            #expect(error.item == spec)
        }
    }

    @Test("description writes the plan back in the grammar it parses from")
    func roundTrip() throws {
        let plan = try FaultPlan(parsing: "apns:429=5@0.25,*:stall@0.5,webpush:invalid@1,seed=9")
        #expect(try FaultPlan(parsing: plan.description) == plan)
    }

    @Test("the same seed replays the same faults; rates are honoured")
    func seededRates() throws {
        let plan = try FaultPlan(parsing: "apns:503@0.25,seed=1234")
        func hits(_ state: SimulatorState) -> [Bool] {
            (0..<2000).map { _ in state.nextEffect(for: .apns) != nil }
        }
        let first = hits(SimulatorState(plan: plan, invalidTokens: [:], historyLimit: 0, now: .now))
        let second = hits(SimulatorState(plan: plan, invalidTokens: [:], historyLimit: 0, now: .now))
        #expect(first == second)
        let rate = Double(first.filter { $0 }.count) / Double(first.count)
        #expect(abs(rate - 0.25) < 0.05)
        let other = SimulatorState(plan: plan, invalidTokens: [:], historyLimit: 0, now: .now)
        #expect(other.nextEffect(for: .fcm) == nil)
    }

    @Test("injected faults come first, for exactly their count")
    func injectedFirst() {
        let state = SimulatorState(plan: .none, invalidTokens: [:], historyLimit: 0, now: .now)
        state.inject(.reset, platform: .fcm, count: 2)
        #expect(state.nextEffect(for: .fcm) == .fault(.reset))
        #expect(state.nextEffect(for: .apns) == nil)
        #expect(state.nextEffect(for: .fcm) == .fault(.reset))
        #expect(state.nextEffect(for: .fcm) == nil)
    }

    @Test("only loopback hosts are loopback")
    func loopback() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "localhost"] { #expect(PushSimulator.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1", "::2"] { #expect(!PushSimulator.isLoopback(host), "\(host)") }
    }
}
