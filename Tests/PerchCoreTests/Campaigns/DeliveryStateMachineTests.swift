import Foundation
import Testing
@testable import PerchCore

@Suite("One claimed delivery, from claim to what it writes")
struct DeliveryStateMachineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let token = PushDestination.apns(token: String(repeating: "ab", count: 32), environment: .production)
    let campaign = DeliveryStateMachine.Campaign(includeStale: true, isLiveActivity: false)

    func machine(destination: PushDestination?? = nil, status: TokenStatus = .active, consent: ConsentStatus? = .granted,
                 expiresAt: Date? = nil, attempt: Int = 1) -> DeliveryStateMachine {
        DeliveryStateMachine(.init(attempt: attempt, destination: destination ?? token, status: status, consent: consent, userId: "u",
                                   expiresAt: expiresAt))
    }

    /// Runs a machine with no throttle and no cancel up to its send.
    func sending(_ machine: inout DeliveryStateMachine, campaign: DeliveryStateMachine.Campaign? = nil) -> DeliveryAction {
        #expect(machine.start() == .readCampaign)
        #expect(machine.campaignRead(campaign ?? self.campaign, now: now) == .route(.apns))
        #expect(machine.routed(messagesPerSecond: nil) == .checkCancelled)
        return machine.cancelChecked(false)
    }

    func answered(_ answer: DeliveryOutcome, attempt: Int = 1) -> DeliveryAction {
        var machine = machine(attempt: attempt)
        #expect(sending(&machine) == .send(to: token, liveActivityToken: nil))
        var random = SeededGenerator(seed: 3)
        return machine.answered(answer, now: now, random: &random)
    }

    @Test func anAcceptedPushRecordsOnlyItsState() {
        #expect(answered(.accepted(gatewayMessageId: "m1"))
                == .finish([.record(.accepted(gatewayMessageId: "m1"), outcome: .accepted, reason: nil)]))
    }

    @Test func aDeadTokenIsRetiredInTheSameWritesAsItsDelivery() {
        let gone = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
        #expect(answered(.retireToken(reason: gone, timestamp: now - 60))
                == .finish([.record(.failed(reason: "Unregistered"), outcome: .retired, reason: gone),
                            .retire(reason: "Unregistered", at: now - 60, unlessSeenAfter: now - 60)]))
        let fcmGone = DeliveryFailureReason(platform: .fcm, status: 404, code: "UNREGISTERED")
        guard case .finish(let writes) = answered(.retireToken(reason: fcmGone, timestamp: nil)) else { Issue.record("not finished"); return }
        #expect(writes.last == .retire(reason: "UNREGISTERED", at: now, unlessSeenAfter: nil), "without a timestamp, retired as of the answer")
    }

    @Test func refusedCredentialsParkTheDeliveryAndPauseTheGateway() {
        let refused = DeliveryFailureReason(platform: .apns, status: 403, code: "InvalidProviderToken")
        #expect(answered(.credentialError(reason: refused))
                == .finish([.record(.retry(at: now + 60, attempt: 1, reason: "InvalidProviderToken"), outcome: .credentialError, reason: refused),
                            .pause(.apns, reason: "InvalidProviderToken")]))
    }

    @Test func aThrottledGatewayGetsTheClaimBackUntried() {
        var machine = machine()
        _ = machine.start()
        _ = machine.campaignRead(campaign, now: now)
        #expect(machine.routed(messagesPerSecond: 50) == .awaitPermit(.apns, perSecond: 50))
        #expect(machine.throttled(until: now + 1) == .finish([.release(dueAt: now + 1)]))
        var permitted = self.machine()
        _ = permitted.start()
        _ = permitted.campaignRead(campaign, now: now)
        _ = permitted.routed(messagesPerSecond: 50)
        #expect(permitted.permitted() == .checkCancelled)
    }

    @Test func whatIsCheckedBeforeSendingSuppressesOrFailsWithItsReason() {
        var unreadable = machine(destination: .some(nil))
        #expect(unreadable.start() == .finish([.record(.suppressed(reason: "token_unreadable"), outcome: .suppressed, reason: nil)]))

        var gone = machine()
        _ = gone.start()
        #expect(gone.campaignRead(nil, now: now) == .finish([.record(.suppressed(reason: "campaign_unreadable"), outcome: .suppressed, reason: nil)]))

        var late = machine(expiresAt: now)
        _ = late.start()
        #expect(late.campaignRead(campaign, now: now) == .finish([.record(.failed(reason: "expired"), outcome: .expired, reason: nil)]))

        // Consent and status are read again at the moment of sending; caps are not (the plan applied them).
        var withdrawn = machine(consent: .denied)
        _ = withdrawn.start()
        #expect(withdrawn.campaignRead(campaign, now: now)
                == .finish([.record(.suppressed(reason: "consent_denied"), outcome: .suppressed, reason: nil)]))
        var stale = machine(status: .stale)
        _ = stale.start()
        #expect(stale.campaignRead(.init(includeStale: false, isLiveActivity: false), now: now)
                == .finish([.record(.suppressed(reason: "token_stale"), outcome: .suppressed, reason: nil)]))
        var retired = machine(status: .invalid(reason: "Unregistered", at: now - 10))
        _ = retired.start()
        #expect(retired.campaignRead(campaign, now: now)
                == .finish([.record(.suppressed(reason: "token_invalid"), outcome: .suppressed, reason: nil)]))

        var unconfigured = machine()
        _ = unconfigured.start()
        _ = unconfigured.campaignRead(campaign, now: now)
        #expect(unconfigured.routeFailed(detail: "no APNs key")
                == .finish([.record(.failed(reason: "GatewayNotConfigured"), outcome: .failed,
                                    reason: .init(platform: .apns, status: nil, code: "GatewayNotConfigured", detail: "no APNs key"))]))

        var cancelled = machine()
        _ = cancelled.start()
        _ = cancelled.campaignRead(campaign, now: now)
        _ = cancelled.routed(messagesPerSecond: nil)
        #expect(cancelled.cancelChecked(true) == .finish([.record(.suppressed(reason: "cancelled"), outcome: .suppressed, reason: nil)]))
    }

    @Test func anFCMLiveActivityTokenIsCarriedByTheInstallationsLiveDeviceToken() {
        let liveActivity = DeliveryStateMachine.Campaign(includeStale: true, isLiveActivity: true)
        let laToken = PushDestination.fcm(token: "la-token")
        func started() -> DeliveryStateMachine {
            var machine = machine(destination: laToken)
            _ = machine.start()
            #expect(machine.campaignRead(liveActivity, now: now) == .route(.fcm))
            _ = machine.routed(messagesPerSecond: nil)
            #expect(machine.cancelChecked(false) == .findCarrier)
            return machine
        }
        var carried = started()
        #expect(carried.carrierFound((.fcm(token: "device"), .active)) == .send(to: .fcm(token: "device"), liveActivityToken: "la-token"))
        var orphan = started()
        #expect(orphan.carrierFound((.fcm(token: "device"), .invalid(reason: "UNREGISTERED", at: now)))
                == .finish([.record(.suppressed(reason: LiveActivityRoute.noFCMToken), outcome: .suppressed, reason: nil)]))
        var unreadable = started()
        #expect(unreadable.carrierUnreadable() == .finish([.record(.suppressed(reason: "token_unreadable"), outcome: .suppressed, reason: nil)]))
        // An APNs Live Activity token is its own address.
        var apns = machine()
        #expect(sending(&apns, campaign: liveActivity) == .send(to: token, liveActivityToken: nil))
    }
}
