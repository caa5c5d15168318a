import Foundation
import Testing
import PerchClient

@Suite("Retry state machine")
struct RetryStateMachineTests {
    let policy = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(100), maxDelay: .seconds(1), multiplier: 2)

    @Test func aSuccessOrAClientErrorIsFinalAtOnce() {
        for status in [200, 201, 400, 401, 403, 404, 409, 413] {
            var machine = RetryStateMachine(policy: policy)
            #expect(machine.next(after: .answered(status: status, retryAfter: nil), randomUnit: 0.5) == .finish, "HTTP \(status)")
            #expect(machine.attempts == 1)
        }
    }

    @Test func networkFailuresBackOffExponentiallyWithFullJitterUpToTheCap() {
        var machine = RetryStateMachine(policy: RetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(100), maxDelay: .seconds(1)))
        // With the jitter drawn at its top, the waits are the ceilings: 100, 200, 400, 800 ms, then the 1 s cap.
        let ceilings = (0..<6).map { _ in machine.next(after: .networkFailure, randomUnit: 1) }
        #expect(ceilings == [.retry(after: .milliseconds(100)), .retry(after: .milliseconds(200)), .retry(after: .milliseconds(400)),
                             .retry(after: .milliseconds(800)), .retry(after: .seconds(1)), .retry(after: .seconds(1))])
        var jittered = RetryStateMachine(policy: policy)
        #expect(jittered.next(after: .networkFailure, randomUnit: 0) == .retry(after: .zero), "full jitter reaches down to zero")
        #expect(jittered.next(after: .networkFailure, randomUnit: 0.25) == .retry(after: .milliseconds(50)), "a quarter of the 200 ms ceiling")
    }

    @Test func serverErrorsAnd429AreRetriedAndRetryAfterIsHonoured() {
        var machine = RetryStateMachine(policy: policy)
        #expect(machine.next(after: .answered(status: 503, retryAfter: nil), randomUnit: 1) == .retry(after: .milliseconds(100)))
        #expect(machine.next(after: .answered(status: 429, retryAfter: .milliseconds(700)), randomUnit: 0) == .retry(after: .milliseconds(700)),
                "Retry-After wins over the (jittered) backoff")
        #expect(machine.next(after: .answered(status: 500, retryAfter: nil), randomUnit: 1) == .retry(after: .milliseconds(400)))
        #expect(machine.next(after: .answered(status: 502, retryAfter: nil), randomUnit: 1) == .giveUp, "four attempts in all")
    }

    @Test func aRetryAfterLongerThanTheLongestWaitEndsTheRetries() {
        var machine = RetryStateMachine(policy: policy)
        #expect(machine.next(after: .answered(status: 503, retryAfter: .seconds(120)), randomUnit: 0.5) == .giveUp)
    }

    @Test func oneAttemptPolicyNeverRetries() {
        var machine = RetryStateMachine(policy: .never)
        #expect(machine.next(after: .networkFailure, randomUnit: 0.5) == .giveUp)
    }

    @Test func retryAfterIsReadAsSecondsOrAsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(RetryAfterHeader.delay("7", now: now) == .seconds(7))
        #expect(RetryAfterHeader.delay("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == .seconds(30))
        #expect(RetryAfterHeader.delay("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == .zero, "a date in the past means now")
        #expect(RetryAfterHeader.delay("soon", now: now) == nil)
        #expect(RetryAfterHeader.delay("-3", now: now) == nil)
    }
}
