/// Where ``PerchClient`` keeps what must survive a relaunch: the installation id and the last
/// token it registered. `UserDefaults`-like; ``UserDefaultsInstallationStorage`` suits Apple
/// platforms, ``FileInstallationStorage`` Linux and tests.
public protocol InstallationStorage: Sendable {
    /// The stored value, or `nil`.
    func string(forKey key: String) -> String?
    /// Stores `value`; `nil` removes the key.
    func set(_ value: String?, forKey key: String) throws
}
