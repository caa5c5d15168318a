import Foundation

/// What a demo run must remember for the next one, kept beside the database (`perch-demo.sqlite.demo.json`,
/// mode 0600, as it holds the demo app's keys and the seed its tokens derive from).
///
/// Keys are stored hashed in the database, so this file is the only place the demo app's secret key
/// can be shown again after a restart.
public struct DemoState: Codable, Sendable, Hashable {
    public var appId: String
    public var secretKey: String
    public var publishableKey: String
    /// Base64 of the 32-byte secret the population's tokens derive from.
    public var seed: String
    /// The population's draw (from ``DemoPopulation``).
    public var populationSeed: UInt64
    public var size: Int
    /// Whether every installation, attribute and event was written.
    public var seeded: Bool
    /// The simulator's listener ports, asked for again on restart so stored Web Push endpoints still reach it.
    public var ports: Ports?
    public var campaignId: String?

    public struct Ports: Codable, Sendable, Hashable {
        public var apns: Int
        public var apnsSandbox: Int
        public var fcm: Int
        public var webPush: Int
    }

    /// The state file of the database at `databasePath`.
    public static func path(databasePath: String) -> String { databasePath + ".demo.json" }

    /// The state kept at `path`; `nil` when there is none yet.
    public static func load(path: String) throws -> DemoState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(DemoState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes the state readable by its owner only.
    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }
}
