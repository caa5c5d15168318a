import Foundation
import JWTKit
import PerchCore

/// `userAuth`: the proof, minted by an app's backend after its own sign-in, that a client may act as a user.
///
/// An HS256 JWT signed with the app's identity secret (the whole `is_…` string as the HMAC key), whose `sub` is the
/// user id and whose `exp` bounds its life. Perch checks the header's `alg` itself before anything else, so `none`,
/// another HMAC width or an asymmetric algorithm never reaches a verifier; then the signature (jwt-kit), then the
/// claims against an injected clock.
public enum UserAuth {
    /// Clock skew forgiven on `exp`, between the backend that minted the token and this server.
    public static let leeway: TimeInterval = 60
    /// Longer than any honest token (a header, two claims and a signature); refused before any work is done.
    static let maximumLength = 4096

    /// The claims Perch reads; others are allowed and ignored. Optional so a missing one gets its own message.
    struct Claims: JWTPayload {
        var sub: SubjectClaim?
        var exp: ExpirationClaim?

        /// Claims are checked by ``UserAuth/verify(_:userId:secrets:now:)`` against the server's injected clock.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private struct Header: Decodable {
        var alg: String?
    }

    /// Checks that `token` proves `userId` under one of `secrets` (the current identity secret and any still in a
    /// rotation's grace period) at `now`; otherwise a 401 naming `userAuth` that says what is wrong.
    public static func verify(_ token: String?, userId: String, secrets: [IdentitySecret], now: Date) async throws(PerchError) {
        guard let token, !token.isEmpty else {
            throw refusal("userAuth is required to bind this installation to a user: a JWT (HS256) from your backend, "
                          + "signed with the app's identity secret, with sub = the user id and exp")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= maximumLength, parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw refusal("userAuth is not a JWT (three base64url parts: header, claims, signature)") }
        guard header.alg == "HS256" else { throw refusal("userAuth must be signed with HS256") }
        guard !secrets.isEmpty else {
            throw refusal("this app has no identity secret yet; rotate one in with POST /v1/apps/{appId}/identity-secret/rotate")
        }
        var claims: Claims?
        for secret in secrets {
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: secret.value), digestAlgorithm: .sha256)
            if let verified = try? await keys.verify(token, as: Claims.self) {
                claims = verified
                break
            }
        }
        guard let claims else { throw refusal("userAuth's signature does not match the app's identity secret") }
        guard let expiry = claims.exp?.value else { throw refusal("userAuth has no exp claim; every userAuth must expire") }
        guard expiry.addingTimeInterval(leeway) > now else { throw refusal("userAuth has expired; mint a fresh one") }
        guard let subject = claims.sub?.value else { throw refusal("userAuth has no sub claim (the user id)") }
        guard subject == userId else { throw refusal("userAuth was issued for another user") }
    }

    /// Mints a `userAuth` for `userId` — what an app's backend does. Perch itself uses it for the demo and tests;
    /// docs/clients.md shows the same in Swift, Node and Python.
    public static func mint(userId: String, secret: IdentitySecret, expiresAt: Date) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret.value), digestAlgorithm: .sha256)
        return try await keys.sign(Claims(sub: SubjectClaim(value: userId), exp: ExpirationClaim(value: expiresAt)))
    }

    private static func refusal(_ message: String) -> PerchError {
        PerchError(.unauthorized, message, field: "userAuth")
    }
}
