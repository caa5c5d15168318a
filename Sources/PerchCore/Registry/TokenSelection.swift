import Foundation

/// Which of an audience's tokens a send reaches. Campaigns, `/v1/send` and every audience reach the installation's
/// device token; VoIP sends, Live Activity starts and Live Activity updates and ends reach their own kind.
public enum TokenSelection: Sendable, Hashable, Codable {
    /// The installation's current device token.
    case device
    /// The installation's live VoIP token.
    case voip
    /// The installation's live push-to-start token for this activity type.
    case liveActivityStart(activityType: String)
    /// Every live update token of this activity (on whichever installation holds one).
    case liveActivity(activityId: String)

    /// The kind of token selected.
    public var kind: TokenKindName {
        switch self {
        case .device: .device
        case .voip: .voip
        case .liveActivityStart: .liveActivityStart
        case .liveActivity: .liveActivity
        }
    }
}
