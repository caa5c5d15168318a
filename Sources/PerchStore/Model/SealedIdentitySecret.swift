import Foundation
import PerchCore

/// A new identity secret and the sealed form a backend stores (AES-GCM under the master key, bound to the app and
/// the secret's id, so a sealed row copied to another app or slot does not open).
public struct SealedIdentitySecret: Sendable {
    public var id: String
    public var secret: IdentitySecret
    public var sealed: Data

    public static func generate(appId: String, vault: TokenVault) throws -> SealedIdentitySecret {
        var generator = SystemRandomNumberGenerator()
        let id = "idsec_" + String(generator.next(), radix: 36) + String(generator.next(), radix: 36)
        let secret = IdentitySecret.generate()
        return SealedIdentitySecret(id: id, secret: secret, sealed: try vault.seal(Data(secret.value.utf8), context: context(appId: appId, id: id)))
    }

    /// Opens a stored secret.
    public static func open(_ sealed: Data, appId: String, id: String, vault: TokenVault) throws -> IdentitySecret {
        IdentitySecret(value: String(decoding: try vault.open(sealed, context: context(appId: appId, id: id)), as: UTF8.self))
    }

    static func context(appId: String, id: String) -> String { "identity:\(appId):\(id)" }
}
