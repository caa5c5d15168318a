import Crypto
import Foundation
import PerchCore

/// The master key and vault every store test seals tokens with (a fixed key: a test database is thrown away).
public enum TestVault {
    public static let masterKey = SymmetricKey(data: Data(repeating: 0x42, count: 32))
    public static let vault = TokenVault(masterKey: masterKey)
}
