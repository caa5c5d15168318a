import Crypto
import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// The generated master key file: private from the first byte, whole, and one key however many processes start at once.
@Suite("Master key file")
struct MasterKeyFileTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func theFileIsCreatedWithMode0600EvenUnderAPermissiveUmask() throws {
        let folder = try Self.folder()
        let database = folder.appendingPathComponent("perch.sqlite").path
        // A umask of 0 would leave a create-then-chmod file world-readable until the chmod; O_CREAT with 0600 never is.
        let previous = umask(0)
        defer { umask(previous) }
        let key = try MasterKeyFile.load(explicit: nil, databasePath: database)
        #expect(try Self.mode(database + ".key") == 0o600)
        #expect(try MasterKeyFile.load(explicit: nil, databasePath: database) == key, "the second start reads the same key")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "no temporary file is left behind: \(leftovers)")
        let text = try String(contentsOfFile: database + ".key", encoding: .utf8)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)
    }

    @Test func processesStartingAtOnceAgreeOnOneKey() async throws {
        let folder = try Self.folder()
        let database = folder.appendingPathComponent("perch.sqlite").path
        let keys = try await withThrowingTaskGroup(of: SymmetricKey.self) { group in
            for _ in 0..<16 { group.addTask { try MasterKeyFile.load(explicit: nil, databasePath: database) } }
            return try await group.reduce(into: [SymmetricKey]()) { $0.append($1) }
        }
        #expect(keys.count == 16)
        #expect(Set(keys.map { $0.withUnsafeBytes { Data($0) } }).count == 1)
        #expect(try Self.mode(database + ".key") == 0o600)
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let folder = try Self.folder()
        let database = folder.appendingPathComponent("perch.sqlite").path
        _ = try MasterKeyFile.load(explicit: nil, databasePath: database)
        #expect(chmod(database + ".key", 0o644) == 0)
        #expect(throws: PerchError.self) { try MasterKeyFile.load(explicit: nil, databasePath: database) }
    }
}
