import Foundation

/// One Live Activity push: start an activity through push-to-start tokens, or update or end a running one through its
/// update tokens. Rendered for APNs as `apns-push-type: liveactivity` to `<bundle id>.push-type.liveactivity` with
/// `aps.event`, `aps.timestamp` and `aps.content-state` (``renderAPNs(alert:data:expiration:)``). The alert, when there is
/// one, is the carrying ``PushMessage``'s title and body, so templates and localisation work on it as on any message.
public struct LiveActivityEvent: Sendable, Hashable, Codable {
    /// `aps.event`.
    public enum Event: String, Sendable, Hashable, Codable, CaseIterable {
        case start, update, end
    }

    public var event: Event
    /// `aps.timestamp`, seconds since 1970: the system drops an update older than the last one it showed, so the time
    /// the send was asked for is fixed once and kept through retries.
    public var timestamp: Int
    /// `aps.content-state`: the activity's `ContentState`, as the app's `Codable` type decodes it.
    public var contentState: [String: JSONValue]
    /// `aps.attributes-type` (start only): the `ActivityAttributes` type's name.
    public var attributesType: String?
    /// `aps.attributes` (start only): the activity's static attributes.
    public var attributes: [String: JSONValue]?
    /// `aps.stale-date`, seconds since 1970.
    public var staleDate: Int?
    /// `aps.dismissal-date` (end), seconds since 1970: when the ended activity leaves the lock screen.
    public var dismissalDate: Int?
    /// `aps.relevance-score`: which of an app's activities leads in the Dynamic Island.
    public var relevanceScore: Double?
    /// `apns-priority`: 10 (at once, budgeted by APNs per hour) or 5 (power-considerate). Default 10.
    public var priority: Int?

    public init(event: Event, timestamp: Int, contentState: [String: JSONValue], attributesType: String? = nil,
                attributes: [String: JSONValue]? = nil, staleDate: Int? = nil, dismissalDate: Int? = nil, relevanceScore: Double? = nil,
                priority: Int? = nil) {
        self.event = event
        self.timestamp = timestamp
        self.contentState = contentState
        self.attributesType = attributesType
        self.attributes = attributes
        self.staleDate = staleDate
        self.dismissalDate = dismissalDate
        self.relevanceScore = relevanceScore
        self.priority = priority
    }

    /// The priorities APNs takes for a Live Activity.
    public static let priorities: Set<Int> = [5, 10]
    /// The priority a Live Activity push gets when none is asked for.
    public static let defaultPriority = 10
}
