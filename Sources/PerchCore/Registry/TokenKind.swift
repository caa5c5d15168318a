import Foundation

/// What a token addresses on its installation. An installation holds at most one current token per kind and
/// *slot*: one device token, one VoIP token, one Live Activity push-to-start token per activity type and one Live
/// Activity update token per activity. Only `device` tokens are reached by campaigns, `/v1/send` and every audience
/// query; the other kinds are reached by their own sends (VoIP sends, Live Activity starts, updates and ends).
public enum TokenKind: Sendable, Hashable {
    /// The installation's ordinary push token (alerts, background pushes).
    case device
    /// A PushKit VoIP token (APNs topic `<bundle id>.voip`).
    case voip
    /// A Live Activity push-to-start token for one activity type (iOS 17.2+, `pushToStartTokenUpdates`).
    case liveActivityStart(activityType: String)
    /// A Live Activity update token for one running activity; it dies with the activity.
    case liveActivity(activityType: String, activityId: String)

    public var name: TokenKindName {
        switch self {
        case .device: .device
        case .voip: .voip
        case .liveActivityStart: .liveActivityStart
        case .liveActivity: .liveActivity
        }
    }

    /// The activity type of a Live Activity token (the `attributes-type` a start names).
    public var activityType: String? {
        switch self {
        case .liveActivityStart(let type), .liveActivity(let type, _): type
        case .device, .voip: nil
        }
    }

    /// The activity an update token belongs to.
    public var activityId: String? {
        if case .liveActivity(_, let id) = self { id } else { nil }
    }

    /// Rebuilds a kind from its stored columns; `nil` when they do not fit together.
    public init?(name: TokenKindName, activityType: String?, activityId: String?) {
        switch name {
        case .device: self = .device
        case .voip: self = .voip
        case .liveActivityStart:
            guard let activityType else { return nil }
            self = .liveActivityStart(activityType: activityType)
        case .liveActivity:
            guard let activityType, let activityId else { return nil }
            self = .liveActivity(activityType: activityType, activityId: activityId)
        }
    }

    /// A stored kind, reading an unknown or incomplete one as `device` (the kind every row had before kinds existed).
    public init(stored name: String?, activityType: String?, activityId: String?) {
        self = name.flatMap(TokenKindName.init(rawValue:)).flatMap { TokenKind(name: $0, activityType: activityType, activityId: activityId) } ?? .device
    }

    /// The platforms a token of this kind is registered for. VoIP and Live Activity tokens are Apple's; an app that
    /// sends to iOS through FCM registers its Live Activity tokens (the APNs tokens ActivityKit gives it) with platform
    /// `fcm`, and FCM reaches them through the installation's FCM registration token (`apns.live_activity_token`).
    /// FCM carries no VoIP pushes.
    public var platforms: Set<Platform> {
        switch self {
        case .device: [.apns, .fcm, .webpush]
        case .voip: [.apns]
        case .liveActivityStart, .liveActivity: [.apns, .fcm]
        }
    }

    /// A Live Activity token (push-to-start or update): its value is always an APNs token, whatever the platform.
    public var isLiveActivity: Bool {
        switch self {
        case .liveActivityStart, .liveActivity: true
        case .device, .voip: false
        }
    }
}

/// The kind names of the public contract (`kind` on `POST /v1/tokens`, exports, token health).
public enum TokenKindName: String, Sendable, Codable, CaseIterable, Hashable {
    case device, voip, liveActivityStart, liveActivity
}
