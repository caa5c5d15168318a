import Foundation
import Testing
@testable import PerchCore

@Suite("Token lifecycle")
struct TokenLifecycleTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let later = t0.addingTimeInterval(60)
    static let earlier = t0.addingTimeInterval(-60)

    static let states: [TokenStatus] = [
        .active, .stale, .invalid(reason: "Unregistered", at: t0), .expired,
        .revoked(reason: .unregistered), .revoked(reason: .consentWithdrawn), .replaced(successor: "tok_b"),
    ]
    static let events: [TokenEvent] = [
        .registered(at: later), .staleWindowPassed, .expiryWindowPassed, .gatewayRejected(reason: "BadDeviceToken", at: later),
        .revoked(.unregistered), .revoked(.consentWithdrawn), .replaced(successor: "tok_c"), .consentRestored,
    ]

    /// The whole table: every state × every event, allowed ones with their result, everything else refused.
    static func expected(_ state: TokenStatus, _ event: TokenEvent) -> TokenStatus? {
        switch (state, event) {
        case (_, .registered): return .active
        case (.active, .staleWindowPassed): return .stale
        case (.stale, .expiryWindowPassed): return .expired
        case (.active, .gatewayRejected), (.stale, .gatewayRejected): return .invalid(reason: "BadDeviceToken", at: later)
        case (.active, .revoked(let r)), (.stale, .revoked(let r)): return .revoked(reason: r)
        case (.active, .replaced), (.stale, .replaced): return .replaced(successor: "tok_c")
        case (.revoked(.consentWithdrawn), .consentRestored): return .active
        default: return nil
        }
    }

    @Test("every transition is either allowed with its result or refused", arguments: states)
    func everyTransition(state: TokenStatus) {
        for event in Self.events {
            let result = TokenLifecycle.apply(event, to: state)
            switch (result, Self.expected(state, event)) {
            case (.success(let next), let expected?):
                #expect(next == expected, "\(state) + \(event)")
            case (.failure(let refusal), nil):
                #expect(refusal.from == state)
            default:
                Issue.record("unexpected result \(result) for \(state) + \(event)")
            }
        }
    }

    @Test func activeBecomesStaleThenExpired() throws {
        let stale = try TokenLifecycle.apply(.staleWindowPassed, to: .active).get()
        #expect(stale == .stale)
        #expect(try TokenLifecycle.apply(.expiryWindowPassed, to: stale).get() == .expired)
    }

    @Test func activeCannotSkipStraightToExpired() {
        #expect(throws: TransitionRefusal.self) { try TokenLifecycle.apply(.expiryWindowPassed, to: .active).get() }
    }

    @Test func registrationOlderThanTheGatewayRejectionDoesNotRevive() {
        let invalid = TokenStatus.invalid(reason: "Unregistered", at: Self.t0)
        #expect(throws: TransitionRefusal.self) { try TokenLifecycle.apply(.registered(at: Self.earlier), to: invalid).get() }
        #expect(throws: TransitionRefusal.self) { try TokenLifecycle.apply(.registered(at: Self.t0), to: invalid).get() }
        #expect(try! TokenLifecycle.apply(.registered(at: Self.later), to: invalid).get() == .active)
    }

    @Test func onlyActiveAndStaleAreLive() {
        #expect(Self.states.filter(\.isLive) == [.active, .stale])
    }

    @Test func unregisteredTokenIsNotRestoredByConsent() {
        #expect(throws: TransitionRefusal.self) { try TokenLifecycle.apply(.consentRestored, to: .revoked(reason: .unregistered)).get() }
    }
}
