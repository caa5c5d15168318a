import Foundation

extension TokenLifecycle {
    /// How long a Live Activity update token lives after it was registered: an activity runs at most 8 hours and stays
    /// on the lock screen up to 4 more, so after 12 hours no push can reach it.
    public static let liveActivityTokenLifetime: TimeInterval = 12 * 3600

    /// When a newly registered token of this kind stops being a delivery address on its own, or `nil` for kinds that
    /// live until a gateway, the client or hygiene's windows retire them.
    public static func expiry(of kind: TokenKind, registeredAt: Date) -> Date? {
        switch kind {
        case .liveActivity: registeredAt.addingTimeInterval(liveActivityTokenLifetime)
        case .device, .voip, .liveActivityStart: nil
        }
    }

    /// How long an ended activity's update tokens stay addresses: long enough for the `end` push itself to leave the
    /// queue, then no update reaches them.
    public static let liveActivityEndGrace: TimeInterval = 5 * 60

    /// When the update tokens of an activity that ended at `endedAt` expire.
    public static func expiry(afterActivityEndedAt endedAt: Date) -> Date {
        endedAt.addingTimeInterval(liveActivityEndGrace)
    }

    /// The status a token has once `expiresAt` is taken into account: past it, a live token is `expired` — a
    /// registration of an ended activity's token does not bring the activity back.
    public static func status(_ status: TokenStatus, expiresAt: Date?, now: Date) -> TokenStatus {
        guard let expiresAt, expiresAt <= now, case .success(let next) = apply(.lifetimeEnded, to: status) else { return status }
        return next
    }
}
