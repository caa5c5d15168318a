import Foundation
import Testing
@testable import PerchCore

@Suite("What a gateway's answer does to a durable delivery")
struct DeliveryVerdictTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let reason = DeliveryFailureReason(platform: .apns, status: 429, code: "TooManyRequests")

    func verdict(_ answer: DeliveryOutcome, attempt: Int = 1, expiresAt: Date? = nil) -> DeliveryVerdict {
        var random = SeededGenerator(seed: 7)
        return DeliveryVerdict.after(answer, attempt: attempt, now: now, expiresAt: expiresAt, random: &random)
    }

    @Test func acceptanceIsFinal() {
        let accepted = verdict(.accepted(gatewayMessageId: "m1"))
        #expect(accepted.state == .accepted(gatewayMessageId: "m1") && accepted.outcome == .accepted && accepted.retire == nil)
    }

    @Test func aDeadTokenFailsTheDeliveryAndIsRetiredWithTheGatewaysReason() {
        let gone = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
        let stamp = now - 60
        let dead = verdict(.retireToken(reason: gone, timestamp: stamp))
        #expect(dead.state == .failed(reason: "Unregistered") && dead.outcome == .retired)
        #expect(dead.retire == .init(reason: "Unregistered", unlessSeenAfter: stamp))
    }

    @Test func retriesBackOffAndHonourRetryAfter() {
        let soon = verdict(.retry(after: nil, reason: reason))
        guard case .retry(let at, 1, "TooManyRequests") = soon.state else { Issue.record("\(soon.state)"); return }
        #expect(at > now && at <= now + 1, "the first backoff is at most 1 s")
        let later = verdict(.retry(after: .seconds(120), reason: reason))
        guard case .retry(let after, _, _) = later.state else { Issue.record("\(later.state)"); return }
        #expect(after >= now + 120, "Retry-After is a floor")
        let last = verdict(.retry(after: nil, reason: reason), attempt: 5)
        #expect(last.state == .failed(reason: "TooManyRequests") && last.outcome == .failed, "five attempts in all")
    }

    @Test func aRetryPastTheMessagesExpiryExpiresIt() {
        let expired = verdict(.retry(after: .seconds(600), reason: reason), expiresAt: now + 60)
        #expect(expired.state == .failed(reason: "expired") && expired.outcome == .expired)
    }

    @Test func credentialErrorsPauseTheGatewayAndKeepTheDelivery() {
        let refused = verdict(.credentialError(reason: DeliveryFailureReason(platform: .fcm, status: 401, code: "UNAUTHENTICATED")))
        #expect(refused.pausesGateway && refused.outcome == .credentialError && refused.retire == nil)
        guard case .retry = refused.state else { Issue.record("parked for a retry, got \(refused.state)"); return }
    }

    @Test func messageErrorsFailWithoutTouchingTheToken() {
        let tooBig = verdict(.messageError(reason: DeliveryFailureReason(platform: .apns, status: 413, code: "PayloadTooLarge")))
        #expect(tooBig.state == .failed(reason: "PayloadTooLarge") && tooBig.outcome == .messageError && tooBig.retire == nil && !tooBig.pausesGateway)
    }

    @Test func sendPermitsBelongToTheirSecondAndAreNeverCarriedOver() {
        var permits = SendPermits()
        let start = Date(timeIntervalSince1970: 1_000)
        let beforeAnyReservation = permits.take(now: start)
        #expect(!beforeAnyReservation, "no permit before a reservation")
        permits.add(2, now: start.addingTimeInterval(0.1))
        let first = permits.take(now: start.addingTimeInterval(0.5)), second = permits.take(now: start.addingTimeInterval(0.9))
        let third = permits.take(now: start.addingTimeInterval(0.95))
        #expect(first && second && !third, "two reserved, two used")
        permits.add(3, now: start.addingTimeInterval(0.99))
        let nextSecond = permits.take(now: start.addingTimeInterval(1.0))
        #expect(!nextSecond, "what is left when the second ends is dropped")
        #expect(SendPermits.nextWindow(after: start.addingTimeInterval(0.3)) == start.addingTimeInterval(1))
        #expect(SendPermits.chunk(perSecond: 100, concurrency: 64) == 25 && SendPermits.chunk(perSecond: 2, concurrency: 64) == 1)
        #expect(SendPermits.chunk(perSecond: 10_000, concurrency: 64) == 64)
    }
}
