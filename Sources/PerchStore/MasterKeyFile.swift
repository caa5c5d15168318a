import Crypto
import Foundation
import PerchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the master key: `PERCH_MASTER_KEY` when set, otherwise a key file beside the
/// database, created with mode 0600 on first start.
public enum MasterKeyFile {
    public static func load(explicit: String?, databasePath: String?) throws -> SymmetricKey {
        if let explicit, !explicit.isEmpty {
            return try TokenVault.masterKey(from: explicit)
        }
        let path = (databasePath.map { $0 + ".key" }) ?? "perch-master.key"
        if FileManager.default.fileExists(atPath: path) {
            return try read(path)
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { Data($0).hexString }
        if try create(path, contents: Array((hex + "\n").utf8)) { return key }
        // Another process created it first: both must use that one key.
        return try read(path)
    }

    static func read(_ path: String) throws -> SymmetricKey {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw PerchError(.invalidField, "the master key file \(path) is readable by others; chmod 600 it", field: "PERCH_MASTER_KEY")
        }
        return try TokenVault.masterKey(from: String(contentsOfFile: path, encoding: .utf8))
    }

    /// Writes the key so that no one ever sees it with wider permissions or half written: a fresh file is opened with
    /// `O_CREAT | O_EXCL` and mode 0600 under a temporary name (never create-then-chmod, which leaves a window where
    /// the umask's mode applies), written and synced, then hard-linked to `path`, which fails instead of replacing a
    /// key another process created meanwhile. Answers `false` when `path` already existed.
    static func create(_ path: String, contents: [UInt8]) throws -> Bool {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw PerchError(.internalError, "cannot create the master key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { unlink(temporary) }
        var written = 0
        let wrote = contents.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 { if errno == EINTR { continue }; return false }
                written += count
            }
            return fsync(descriptor) == 0
        }
        close(descriptor)
        guard wrote else { throw PerchError(.internalError, "cannot write the master key file \(path)") }
        if link(temporary, path) != 0 {
            if errno == EEXIST { return false }
            throw PerchError(.internalError, "cannot create the master key file \(path): \(String(cString: strerror(errno)))")
        }
        return true
    }
}
