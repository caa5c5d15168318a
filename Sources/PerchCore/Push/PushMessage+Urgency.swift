extension PushMessage {
    /// How soon the message should reach the device, in Web Push's words (RFC 8030 §5.3, the `Urgency` header).
    ///
    /// Rendered as Web Push `Urgency`, and for the other platforms as the nearest priority they define:
    /// `high` → `apns-priority: 10` and FCM Android `HIGH`; `normal`, `low` and `very-low` → `apns-priority: 5`
    /// and FCM Android `NORMAL` (FCM's own mapping of its priorities to APNs).
    public enum Urgency: String, Sendable, Hashable, Codable, CaseIterable {
        case veryLow = "very-low"
        case low
        case normal
        case high

        /// `apns-priority`: 10 sends at once, 5 lets the device save power.
        public var apnsPriority: Int { self == .high ? 10 : 5 }
        /// FCM HTTP v1 `android.priority` (`AndroidMessagePriority`).
        public var androidPriority: String { self == .high ? "HIGH" : "NORMAL" }
    }
}

extension PushMessage.Urgency: ClosedValueSet {}
