import Foundation
import Testing
@testable import PerchCore

@Suite("Delivery state machine")
struct DeliveryStateTests {
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theHappyPath() {
        let sending = DeliveryState.pending.applying(.claimed)
        #expect(sending == .sending(attempt: 1))
        #expect(sending?.applying(.gatewayAccepted("apns-id-1")) == .accepted(gatewayMessageId: "apns-id-1"))
    }

    @Test func retriesCountAttemptsAndGiveUp() {
        var state = DeliveryState.pending
        for attempt in 1...3 {
            state = state.applying(.claimed, maximumAttempts: 3)!
            #expect(state == .sending(attempt: attempt))
            state = state.applying(.retryLater(at: at, reason: "apns:503:ServiceUnavailable"), maximumAttempts: 3)!
        }
        #expect(state == .failed(reason: "apns:503:ServiceUnavailable (gave up after 3 attempts)"))
        #expect(state.isFinal)
    }

    @Test func finalStatesTakeNoEvent() {
        let finals: [DeliveryState] = [.accepted(gatewayMessageId: nil), .failed(reason: "x"), .suppressed(reason: "holdout")]
        let events: [DeliveryState.Event] = [.claimed, .gatewayAccepted(nil), .retryLater(at: at, reason: "r"), .failedForGood(reason: "r"),
                                             .suppressed(reason: "r"), .cancelled]
        for state in finals {
            #expect(state.isFinal)
            for event in events { #expect(state.applying(event) == nil, "\(state) + \(event)") }
        }
    }

    @Test func cancelStopsWhatHasNotBeenHandedToAGateway() {
        #expect(DeliveryState.pending.applying(.cancelled) == .suppressed(reason: "cancelled"))
        #expect(DeliveryState.retry(at: at, attempt: 1, reason: "r").applying(.cancelled) == .suppressed(reason: "cancelled"))
        #expect(DeliveryState.sending(attempt: 1).applying(.cancelled) == nil, "in flight: its answer still decides")
        #expect(DeliveryState.pending.applying(.gatewayAccepted(nil)) == nil, "not claimed, so not sent")
    }
}
