import Foundation

/// ``InstallationStorage`` in a small JSON file, written atomically with mode 0600.
public final class FileInstallationStorage: InstallationStorage, @unchecked Sendable {
    /// The file.
    public let url: URL
    private let lock = NSLock()

    /// Uses `url`; the file and its folder are created on the first write.
    public init(url: URL) {
        self.url = url
    }

    public func string(forKey key: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return read()[key]
    }

    public func set(_ value: String?, forKey key: String) throws {
        lock.lock()
        defer { lock.unlock() }
        var values = read()
        values[key] = value
        let data = try JSONEncoder().encode(values)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    private func read() -> [String: String] {
        guard let data = try? Data(contentsOf: url) else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }
}
