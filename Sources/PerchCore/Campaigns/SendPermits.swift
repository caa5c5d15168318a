import Foundation

/// The sends a worker may still make in the current one-second window of an app's gateway: permits
/// it reserved from the shared per-second count (so several workers together keep to the
/// `messagesPerSecond` limit) and has not used yet. Pure: the caller passes the time.
///
/// Permits belong to their window; whatever is left when the window ends is dropped, never carried
/// over, so a worker can under-use a second but never overrun one.
public struct SendPermits: Sendable, Hashable {
    public private(set) var window: Int64
    public private(set) var left: Int

    public init(window: Int64 = .min, left: Int = 0) {
        self.window = window
        self.left = left
    }

    /// The window that holds `now`: whole seconds since 1970.
    public static func window(at now: Date) -> Int64 { Int64(now.timeIntervalSince1970.rounded(.down)) }

    /// When the window after the one holding `now` begins.
    public static func nextWindow(after now: Date) -> Date { Date(timeIntervalSince1970: Double(window(at: now) + 1)) }

    /// Takes one permit of the window holding `now`; false when none is left there.
    public mutating func take(now: Date) -> Bool {
        guard window == Self.window(at: now), left > 0 else { return false }
        left -= 1
        return true
    }

    /// Adds `count` permits reserved for the window holding `now` (dropping any of an older window).
    public mutating func add(_ count: Int, now: Date) {
        let current = Self.window(at: now)
        if window != current {
            window = current
            left = 0
        }
        left += count
    }

    /// How many permits to ask the shared count for at once: enough that a busy worker does not ask
    /// per message, few enough that permits it cannot use this second do not starve other workers.
    public static func chunk(perSecond: Int, concurrency: Int) -> Int {
        max(1, min(perSecond / 4, concurrency))
    }
}
