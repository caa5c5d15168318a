import Foundation
import PerchCore
import Testing

@Suite("Credential refresh")
struct CredentialRefreshStateMachineTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    func at(minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }

    func isRefresh(_ action: CredentialRefreshStateMachine<String>.Action) -> Bool {
        if case .refresh = action { return true }
        return false
    }

    func used(_ action: CredentialRefreshStateMachine<String>.Action) -> String? {
        if case .use(let credential) = action { return credential }
        return nil
    }

    @Test("the first request obtains a credential; later ones reuse it")
    func firstUse() {
        var machine = CredentialRefreshStateMachine<String>(policy: .apnsProviderToken)
        #expect(isRefresh(machine.credential(now: start)))
        machine.refreshSucceeded("jwt-1", issuedAt: start, expiresAt: at(minutes: 60))
        #expect(used(machine.credential(now: at(minutes: 1))) == "jwt-1")
        #expect(used(machine.credential(now: at(minutes: 49))) == "jwt-1")
    }

    @Test("an APNs provider token is renewed at 50 minutes, inside Apple's 20–60 window")
    func apnsRenewal() {
        var machine = CredentialRefreshStateMachine<String>(policy: .apnsProviderToken)
        _ = machine.credential(now: start)
        machine.refreshSucceeded("jwt-1", issuedAt: start, expiresAt: at(minutes: 60))
        #expect(isRefresh(machine.credential(now: at(minutes: 50))))
        machine.refreshSucceeded("jwt-2", issuedAt: at(minutes: 50), expiresAt: at(minutes: 110))
        #expect(used(machine.credential(now: at(minutes: 51))) == "jwt-2")
    }

    @Test("an APNs provider token is never renewed within 20 minutes, even when APNs calls it expired")
    func apnsNeverTooOften() {
        var machine = CredentialRefreshStateMachine<String>(policy: .apnsProviderToken)
        _ = machine.credential(now: start)
        machine.refreshSucceeded("jwt-1", issuedAt: start, expiresAt: at(minutes: 60))
        machine.invalidate()
        #expect(used(machine.credential(now: at(minutes: 5))) == "jwt-1")
        #expect(used(machine.credential(now: at(minutes: 19.9))) == "jwt-1")
        #expect(isRefresh(machine.credential(now: at(minutes: 20))))
    }

    @Test("while one caller renews, others keep using the still-valid credential")
    func renewalShared() {
        var machine = CredentialRefreshStateMachine<String>(policy: .apnsProviderToken)
        _ = machine.credential(now: start)
        machine.refreshSucceeded("jwt-1", issuedAt: start, expiresAt: at(minutes: 60))
        #expect(isRefresh(machine.credential(now: at(minutes: 50))))
        #expect(used(machine.credential(now: at(minutes: 50))) == "jwt-1")
    }

    @Test("with no valid credential, callers wait for the renewal under way")
    func waitsWhenEmpty() {
        var machine = CredentialRefreshStateMachine<String>(policy: .oauthAccessToken)
        #expect(isRefresh(machine.credential(now: start)))
        guard case .wait = machine.credential(now: start) else {
            Issue.record("a second caller should wait")
            return
        }
    }

    @Test("an OAuth access token is cached until five minutes before expires_in")
    func oauthCache() {
        var machine = CredentialRefreshStateMachine<String>(policy: .oauthAccessToken)
        _ = machine.credential(now: start)
        machine.refreshSucceeded("ya29.a", issuedAt: start, expiresAt: at(minutes: 60))
        #expect(used(machine.credential(now: at(minutes: 54.9))) == "ya29.a")
        #expect(isRefresh(machine.credential(now: at(minutes: 55))))
    }

    @Test("a short-lived OAuth token is renewed at half its lifetime, not after it expired")
    func oauthShortLived() {
        var machine = CredentialRefreshStateMachine<String>(policy: .oauthAccessToken)
        _ = machine.credential(now: start)
        machine.refreshSucceeded("ya29.short", issuedAt: start, expiresAt: at(minutes: 4))
        #expect(used(machine.credential(now: at(minutes: 1.9))) == "ya29.short")
        #expect(isRefresh(machine.credential(now: at(minutes: 2))))
    }

    @Test("a rejected OAuth token is renewed at once")
    func oauthInvalidated() {
        var machine = CredentialRefreshStateMachine<String>(policy: .oauthAccessToken)
        _ = machine.credential(now: start)
        machine.refreshSucceeded("ya29.a", issuedAt: start, expiresAt: at(minutes: 60))
        machine.invalidate()
        #expect(isRefresh(machine.credential(now: at(minutes: 1))))
    }

    @Test("a VAPID token is cached until an hour before its exp")
    func vapid() {
        var machine = CredentialRefreshStateMachine<String>(policy: .vapidToken)
        _ = machine.credential(now: start)
        machine.refreshSucceeded("vapid", issuedAt: start, expiresAt: at(minutes: 12 * 60))
        #expect(used(machine.credential(now: at(minutes: 11 * 60 - 1))) == "vapid")
        #expect(isRefresh(machine.credential(now: at(minutes: 11 * 60))))
    }

    @Test("a failed renewal keeps nothing invalid and lets the next request try again")
    func failedRenewal() {
        var machine = CredentialRefreshStateMachine<String>(policy: .oauthAccessToken)
        _ = machine.credential(now: start)
        machine.refreshFailed()
        #expect(isRefresh(machine.credential(now: at(minutes: 1))))
    }
}
