import Testing
import PerchCore

@Suite("Identity verification rule")
struct IdentityVerificationTests {
    @Test func thePublishableKeyProvesEveryNewOrChangedBinding() {
        let rule = IdentityVerification.required
        #expect(rule.needsProof(keyKind: .publishable, currentUserId: nil, requestedUserId: "alice"), "an anonymous installation bound")
        #expect(rule.needsProof(keyKind: .publishable, currentUserId: "alice", requestedUserId: "mallory"), "a bound one moved")
        #expect(!rule.needsProof(keyKind: .publishable, currentUserId: "alice", requestedUserId: "alice"), "the same user repeated")
        #expect(!rule.needsProof(keyKind: .publishable, currentUserId: "alice", requestedUserId: nil), "no user named")
        #expect(!rule.needsProof(keyKind: .publishable, currentUserId: nil, requestedUserId: nil))
    }

    @Test func theSecretKeyAndAnAppWithVerificationOffNeedNoProof() {
        #expect(!IdentityVerification.required.needsProof(keyKind: .secret, currentUserId: nil, requestedUserId: "alice"))
        #expect(!IdentityVerification.required.needsProof(keyKind: .admin, currentUserId: "bob", requestedUserId: "alice"))
        #expect(!IdentityVerification.off.needsProof(keyKind: .publishable, currentUserId: "bob", requestedUserId: "alice"))
    }

    @Test func graceSecondsAreWholeSecondsUpToThirtyDays() throws {
        #expect(try RotationGrace.seconds(nil) == 86_400)
        #expect(try RotationGrace.seconds(0) == 0)
        #expect(try RotationGrace.seconds(2_592_000) == 2_592_000)
        for bad in [-1, 0.5, 2_592_001, 9.3e18, .infinity, .nan] as [Double] {
            #expect(throws: PerchError.self, "\(bad)") { try RotationGrace.seconds(bad) }
        }
    }

    @Test func identitySecretsAreLongRandomAndDistinct() {
        let secrets = (0..<64).map { _ in IdentitySecret.generate().value }
        #expect(Set(secrets).count == 64)
        #expect(secrets.allSatisfy { $0.hasPrefix("is_") && $0.count == 46 })
    }
}
