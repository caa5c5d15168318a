import Crypto
import Foundation
import Testing
@testable import PerchCore

@Suite("Token vault")
struct TokenVaultTests {
    let vault = TokenVault(masterKey: SymmetricKey(data: Data(repeating: 7, count: 32)))

    @Test func sealedTokensOpenOnlyInTheirContext() throws {
        let token = Data(String(repeating: "ab", count: 32).utf8)
        let sealed = try vault.seal(token, context: "app_1")
        #expect(sealed.range(of: token) == nil)
        #expect(try vault.open(sealed, context: "app_1") == token)
        #expect(throws: (any Error).self) { try vault.open(sealed, context: "app_2") }
    }

    @Test func sealingIsRandomisedButTheIndexIsStable() throws {
        let token = Data("same".utf8)
        #expect(try vault.seal(token, context: "a") != vault.seal(token, context: "a"))
        #expect(vault.blindIndex(appId: "a", platform: .fcm, identity: "t") == vault.blindIndex(appId: "a", platform: .fcm, identity: "t"))
        #expect(vault.blindIndex(appId: "a", platform: .fcm, identity: "t") != vault.blindIndex(appId: "b", platform: .fcm, identity: "t"))
        #expect(vault.blindIndex(appId: "a", platform: .fcm, identity: "t") != vault.blindIndex(appId: "a", platform: .apns, identity: "t"))
    }

    @Test func anotherMasterKeyCannotOpen() throws {
        let other = TokenVault(masterKey: SymmetricKey(data: Data(repeating: 8, count: 32)))
        let sealed = try vault.seal(Data("x".utf8), context: "a")
        #expect(throws: (any Error).self) { try other.open(sealed, context: "a") }
    }

    @Test func masterKeysParseFromHexOrBase64() throws {
        let hex = String(repeating: "0f", count: 32)
        _ = try TokenVault.masterKey(from: hex)
        _ = try TokenVault.masterKey(from: Data(repeating: 1, count: 32).base64EncodedString())
        expectPerchError(field: "PERCH_MASTER_KEY") { _ = try TokenVault.masterKey(from: "too-short") }
    }

    @Test func apiKeysHaveTheirPrefixAndOnlyTheirDigestIsStored() {
        let key = APIKey.generate(.publishable)
        #expect(key.value.hasPrefix("pk_") && key.value.count == 35)
        #expect(key.claimedKind == .publishable && APIKey.generate(.secret).claimedKind == .secret)
        #expect(key.digest.count == 64 && !key.digest.contains(key.value))
        #expect(APIKey.constantTimeEquals(key.value, key.value) && !APIKey.constantTimeEquals(key.value, key.value + "x"))
    }
}
