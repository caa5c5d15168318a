import PerchCore
import Testing

@Suite("Retry and backoff")
struct DeliveryRetryStateMachineTests {
    let unavailable = DeliveryOutcome.retry(after: nil, reason: .init(platform: .fcm, status: 503, code: "UNAVAILABLE"))

    @Test("accepted, retired and message errors finish the delivery")
    func settled() {
        var random = SeededGenerator(seed: 1)
        let reason = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
        for outcome in [DeliveryOutcome.accepted(gatewayMessageId: "x"), .retireToken(reason: reason, timestamp: nil), .messageError(reason: reason)] {
            var machine = DeliveryRetryStateMachine()
            #expect(machine.attemptFinished(with: outcome, random: &random) == .finish(outcome))
        }
    }

    @Test("a credential error stops the app's sends")
    func credential() {
        var random = SeededGenerator(seed: 1)
        var machine = DeliveryRetryStateMachine()
        let outcome = DeliveryOutcome.credentialError(reason: .init(platform: .apns, status: 403, code: "InvalidProviderToken"))
        #expect(machine.attemptFinished(with: outcome, random: &random) == .stopApp(outcome))
    }

    @Test("backoff grows exponentially, jittered between half and all of each step")
    func exponential() {
        var random = SeededGenerator(seed: 7)
        var machine = DeliveryRetryStateMachine(policy: RetryPolicy(maxAttempts: 6, initialDelay: .seconds(1), maximumDelay: .seconds(900)))
        let steps: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16)]
        for step in steps {
            guard case .retry(let delay) = machine.attemptFinished(with: unavailable, random: &random) else {
                Issue.record("expected a retry")
                return
            }
            #expect(delay >= step / 2 && delay <= step)
        }
    }

    @Test("jitter spreads deliveries that fail together")
    func jitterSpreads() {
        var random = SeededGenerator(seed: 99)
        var delays = Set<Duration>()
        for _ in 0..<20 {
            var machine = DeliveryRetryStateMachine()
            if case .retry(let delay) = machine.attemptFinished(with: unavailable, random: &random) { delays.insert(delay) }
        }
        #expect(delays.count > 10)
    }

    @Test("the backoff is capped at the maximum delay")
    func capped() {
        let machine = DeliveryRetryStateMachine(policy: RetryPolicy(maxAttempts: 50, initialDelay: .seconds(1), maximumDelay: .seconds(60)))
        #expect(machine.backoff(afterAttempt: 30) == .seconds(60))
    }

    @Test("Retry-After is a floor under the jittered backoff")
    func retryAfterFloor() {
        var random = SeededGenerator(seed: 3)
        var machine = DeliveryRetryStateMachine()
        let throttled = DeliveryOutcome.retry(after: .seconds(120), reason: .init(platform: .apns, status: 429, code: "TooManyRequests"))
        #expect(machine.attemptFinished(with: throttled, random: &random) == .retry(after: .seconds(120)))
    }

    @Test("QUOTA_EXCEEDED waits at least 60 seconds even on the first retry")
    func quotaFloor() {
        var random = SeededGenerator(seed: 3)
        var machine = DeliveryRetryStateMachine()
        let answer = FCMAnswer(status: 429, errorCode: .quotaExceeded)
        guard case .retry(let delay) = machine.attemptFinished(with: FCMOutcomeTable.outcome(for: answer), random: &random) else {
            Issue.record("expected a retry")
            return
        }
        #expect(delay >= .seconds(60))
    }

    @Test("after maxAttempts the delivery gives up and leaves the token alone")
    func givesUp() {
        var random = SeededGenerator(seed: 5)
        var machine = DeliveryRetryStateMachine(policy: RetryPolicy(maxAttempts: 3))
        _ = machine.attemptFinished(with: unavailable, random: &random)
        _ = machine.attemptFinished(with: unavailable, random: &random)
        #expect(machine.attemptFinished(with: unavailable, random: &random) == .giveUp(unavailable))
        #expect(machine.attempts == 3)
    }
}
