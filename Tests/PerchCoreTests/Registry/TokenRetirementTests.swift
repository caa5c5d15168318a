import Foundation
import Testing
import PerchCore

@Suite("Token retirement: a gateway's word that a token is dead")
struct TokenRetirementTests {
    static let rejectedAt = Date(timeIntervalSince1970: 1_800_000_000)
    static let seen = rejectedAt.addingTimeInterval(-3_600)

    @Test("a live token becomes invalid with the gateway's reason and time", arguments: [TokenStatus.active, .stale])
    func liveTokenRetires(status: TokenStatus) {
        #expect(TokenLifecycle.retirement(of: status, lastSeenAt: Self.seen, reason: "Unregistered", at: Self.rejectedAt, unlessSeenAfter: nil)
                == .invalid(reason: "Unregistered", at: Self.rejectedAt))
    }

    @Test("a token already out of the live states keeps its status and reason",
          arguments: [TokenStatus.invalid(reason: "BadDeviceToken", at: seen), .expired, .revoked(reason: .unregistered),
                      .revoked(reason: .consentWithdrawn), .replaced(successor: "tok_b")])
    func retiredTokenKeepsItsStatus(status: TokenStatus) {
        #expect(TokenLifecycle.retirement(of: status, lastSeenAt: Self.seen, reason: "Unregistered", at: Self.rejectedAt, unlessSeenAfter: nil) == nil)
    }

    @Test("APNs' 410 timestamp: a registration seen after it proves the token works, so the verdict is dropped")
    func registrationAfterTheTimestampWins() {
        let timestamp = Self.seen.addingTimeInterval(-1)
        #expect(TokenLifecycle.retirement(of: .active, lastSeenAt: Self.seen, reason: "Unregistered", at: Self.rejectedAt,
                                          unlessSeenAfter: timestamp) == nil)
    }

    @Test("APNs' 410 timestamp: a token last seen at or before it is retired")
    func registrationBeforeTheTimestampLoses() {
        for timestamp in [Self.seen, Self.seen.addingTimeInterval(1)] {
            #expect(TokenLifecycle.retirement(of: .active, lastSeenAt: Self.seen, reason: "Unregistered", at: Self.rejectedAt,
                                              unlessSeenAfter: timestamp) == .invalid(reason: "Unregistered", at: Self.rejectedAt))
        }
    }
}
