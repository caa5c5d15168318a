import Crypto
import Foundation
import PerchCore

/// Finds the master key: `PERCH_MASTER_KEY` when set, otherwise a key file beside the
/// database, created with mode 0600 on first start.
public enum MasterKeyFile {
    public static func load(explicit: String?, databasePath: String?) throws -> SymmetricKey {
        if let explicit, !explicit.isEmpty {
            return try TokenVault.masterKey(from: explicit)
        }
        let path = (databasePath.map { $0 + ".key" }) ?? "perch-master.key"
        if FileManager.default.fileExists(atPath: path) {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw PerchError(.invalidField, "the master key file \(path) is readable by others; chmod 600 it", field: "PERCH_MASTER_KEY")
            }
            return try TokenVault.masterKey(from: String(contentsOfFile: path, encoding: .utf8))
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { Data($0).hexString }
        guard FileManager.default.createFile(atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw PerchError(.internalError, "cannot create the master key file \(path)")
        }
        return key
    }
}
