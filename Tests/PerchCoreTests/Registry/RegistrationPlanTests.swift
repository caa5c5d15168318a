import Foundation
import Testing
@testable import PerchCore

@Suite("Registration plan")
struct RegistrationPlanTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let tokenA = String(repeating: "a1", count: 32)
    let tokenB = String(repeating: "b2", count: 32)

    func registration(_ token: String, installation: String = "inst-1", user: String? = nil, previous: String? = nil,
                      consent: ConsentStatus? = nil) -> TokenRegistration {
        TokenRegistration(installationId: installation, destination: .apns(token: token, environment: .production), userId: user,
                          previousToken: previous, consent: consent)
    }

    func stored(_ id: String, _ token: String, installation: String?, status: TokenStatus = .active,
                user: String? = nil, consent: ConsentStatus? = nil) -> RegistrationPlan.StoredToken {
        .init(id: id, installationId: installation, status: status, material: Data(token.utf8), holderUserId: user, holderConsent: consent)
    }

    @Test func aNewInstallationCreatesAToken() {
        let plan = RegistrationPlan.make(for: registration(tokenA, consent: .granted), installation: nil, sameToken: nil, previousToken: nil,
                                         newTokenId: "tok_new", now: now)
        #expect(plan.createsToken && plan.createsInstallation && plan.materialChanged)
        #expect(plan.tokenId == "tok_new" && plan.tokenStatus == .active && plan.replaces.isEmpty)
        #expect(plan.consentChange == .granted && plan.consent == .granted)
    }

    @Test func anInstallationWithoutAUserIsWrittenBeforeItsTokenAndOneWithAUserAfter() {
        let anonymous = RegistrationPlan.make(for: registration(tokenA), installation: nil, sameToken: nil, previousToken: nil,
                                              newTokenId: "tok_new", now: now)
        let identified = RegistrationPlan.make(for: registration(tokenA, user: "u1"), installation: nil, sameToken: nil, previousToken: nil,
                                               newTokenId: "tok_new", now: now)
        // A stored user counts as well as a stated one.
        let known = RegistrationPlan.make(for: registration(tokenA), installation: .init(userId: "u1", currentTokenId: nil, consent: nil),
                                          sameToken: nil, previousToken: nil, newTokenId: "tok_new", now: now)
        #expect(anonymous.installationFirst && !identified.installationFirst && !known.installationFirst)
    }

    @Test func theSameTokenAgainIsIdempotent() {
        let installation = RegistrationPlan.StoredInstallation(userId: "u1", currentTokenId: "tok_a", consent: .granted)
        let plan = RegistrationPlan.make(for: registration(tokenA), installation: installation,
                                         sameToken: stored("tok_a", tokenA, installation: "inst-1"), previousToken: nil,
                                         newTokenId: "tok_unused", now: now)
        #expect(plan.tokenId == "tok_a" && !plan.createsToken && !plan.materialChanged)
        #expect(plan.replaces.isEmpty && plan.movedFrom == nil && plan.consentChange == nil)
        #expect(plan.userId == "u1" && plan.consent == .granted)
    }

    @Test func aNewTokenForAKnownInstallationReplacesTheOldOne() {
        let installation = RegistrationPlan.StoredInstallation(userId: "u1", currentTokenId: "tok_a", consent: .granted)
        let plan = RegistrationPlan.make(for: registration(tokenB), installation: installation, sameToken: nil, previousToken: nil,
                                         newTokenId: "tok_b", now: now)
        #expect(plan.tokenId == "tok_b" && plan.createsToken)
        #expect(plan.replaces == ["tok_a"])
        #expect(plan.userId == "u1" && plan.consent == .granted)
    }

    @Test func aPreviousTokenFromAnotherInstallationCarriesUserAndConsentOver() {
        let previous = stored("tok_a", tokenA, installation: "old-install", user: "u9", consent: .granted)
        let plan = RegistrationPlan.make(for: registration(tokenB, installation: "new-install", previous: tokenA), installation: nil,
                                         sameToken: nil, previousToken: previous, newTokenId: "tok_b", now: now)
        #expect(plan.replaces == ["tok_a"])
        #expect(plan.userId == "u9" && plan.consent == .granted)
    }

    @Test func theSameTokenUnderAnotherInstallationMovesHere() {
        let plan = RegistrationPlan.make(for: registration(tokenA, installation: "inst-2"), installation: nil,
                                         sameToken: stored("tok_a", tokenA, installation: "inst-1"), previousToken: nil,
                                         newTokenId: "tok_unused", now: now)
        #expect(plan.tokenId == "tok_a" && plan.movedFrom == "inst-1" && !plan.createsToken)
    }

    @Test func aStatedUserReplacesTheBindingAndTheMoveIsKnown() {
        let installation = RegistrationPlan.StoredInstallation(userId: "u1", currentTokenId: "tok_a", consent: nil)
        let plan = RegistrationPlan.make(for: registration(tokenA, user: "u2"), installation: installation,
                                         sameToken: stored("tok_a", tokenA, installation: "inst-1"), previousToken: nil,
                                         newTokenId: "x", now: now)
        #expect(plan.userId == "u2" && plan.movedFromUser == "u1")
    }

    @Test func aRevokedConsentKeepsTheTokenRevokedUntilGrantedAgain() {
        let installation = RegistrationPlan.StoredInstallation(userId: nil, currentTokenId: "tok_a", consent: .revoked)
        let revoked = RegistrationPlan.make(for: registration(tokenA), installation: installation,
                                            sameToken: stored("tok_a", tokenA, installation: "inst-1", status: .revoked(reason: .consentWithdrawn)),
                                            previousToken: nil, newTokenId: "x", now: now)
        #expect(revoked.tokenStatus == .revoked(reason: .consentWithdrawn))
        let granted = RegistrationPlan.make(for: registration(tokenA, consent: .granted), installation: installation,
                                            sameToken: stored("tok_a", tokenA, installation: "inst-1", status: .revoked(reason: .consentWithdrawn)),
                                            previousToken: nil, newTokenId: "x", now: now)
        #expect(granted.tokenStatus == .active && granted.consentChange == .granted)
    }

    @Test func aStaleOrExpiredTokenSeenAgainIsActive() {
        for status in [TokenStatus.stale, .expired] {
            let plan = RegistrationPlan.make(for: registration(tokenA), installation: nil,
                                             sameToken: stored("tok_a", tokenA, installation: "inst-1", status: status),
                                             previousToken: nil, newTokenId: "x", now: now)
            #expect(plan.tokenStatus == .active)
        }
    }
}
