extension PushMessage {
    /// How urgently iOS presents a notification: APNs `aps.interruption-level`.
    ///
    /// `passive` adds it silently to the list, `active` (the system's default) lights the screen and plays the sound,
    /// `time-sensitive` breaks through a Focus, `critical` ignores the mute switch and Do Not Disturb (it needs Apple's
    /// critical-alert entitlement in the app).
    public enum InterruptionLevel: String, Sendable, Hashable, Codable, CaseIterable {
        case passive
        case active
        case timeSensitive = "time-sensitive"
        case critical
    }
}

extension PushMessage.InterruptionLevel: ClosedValueSet {}
