import Foundation

extension UUID {
    /// A random (version 4) UUID from the system's generator: Foundation's `UUID.random(using:)` with
    /// `SystemRandomNumberGenerator`, two `getrandom(2)` calls.
    ///
    /// `UUID()` on Linux opens `/dev/urandom`, reads 16 bytes and closes it for each id: three system calls and a path
    /// lookup, over 1% of the machine's time during a campaign in which every APNs push carried a new `apns-id`
    /// (bench/scale/README.md, session 34).
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }
}
