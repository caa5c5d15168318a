import Foundation

/// The body of `POST /v1/live-activities` (start) and of `/{activityId}/update` and `/end`, as sent. Every field is
/// optional here; ``validated(event:now:)`` applies the rules and answers the ``LiveActivityEvent`` with its alert.
public struct LiveActivityRequest: Sendable, Decodable {
    /// A Live Activity alert: shown like a notification when the activity starts or changes.
    public struct Alert: Sendable, Hashable, Decodable {
        public var title: String?
        public var body: String?
        public var sound: String?
    }

    /// Start only: the `ActivityAttributes` type (`attributes-type`) and the activity's static attributes.
    public var activityType: String?
    public var attributes: JSONValue?
    /// The activity's `ContentState`.
    public var contentState: JSONValue?
    public var alert: Alert?
    /// Unix seconds (as APNs takes them) or ISO 8601.
    public var staleDate: JSONValue?
    public var dismissalDate: JSONValue?
    public var relevanceScore: Double?
    /// 5 or 10 (default 10).
    public var priority: Int?

    public init(activityType: String? = nil, attributes: JSONValue? = nil, contentState: JSONValue? = nil, alert: Alert? = nil,
                staleDate: JSONValue? = nil, dismissalDate: JSONValue? = nil, relevanceScore: Double? = nil, priority: Int? = nil) {
        self.activityType = activityType
        self.attributes = attributes
        self.contentState = contentState
        self.alert = alert
        self.staleDate = staleDate
        self.dismissalDate = dismissalDate
        self.relevanceScore = relevanceScore
        self.priority = priority
    }

    /// The event this body asks for, stamped `now`, and its alert (title and body, sound); the first broken rule is
    /// thrown, naming its field.
    public func validated(event: LiveActivityEvent.Event, now: Date) throws(PerchError)
        -> (event: LiveActivityEvent, alert: (title: String, body: String, sound: String?)?)
    {
        guard let contentState else { throw .missing("contentState") }
        guard case .object(let state) = contentState else { throw .invalid("contentState", "contentState is a JSON object (the activity's ContentState)") }
        var attributesType: String?
        var attributeValues: [String: JSONValue]?
        if event == .start {
            attributesType = try FieldRules.activityType(activityType)
            guard let attributes else { throw .missing("attributes") }
            guard case .object(let values) = attributes else { throw .invalid("attributes", "attributes is a JSON object (the activity's attributes)") }
            attributeValues = values
        } else {
            if activityType != nil { throw .invalid("activityType", "activityType is given when the activity starts") }
            if attributes != nil { throw .invalid("attributes", "attributes are given when the activity starts") }
        }
        if let priority, !LiveActivityEvent.priorities.contains(priority) {
            throw .invalid("priority", "priority is 5 or 10 for a Live Activity")
        }
        if let relevanceScore, !(relevanceScore.isFinite && relevanceScore >= 0) {
            throw .invalid("relevanceScore", "relevanceScore is a number of at least 0")
        }
        if event == .start, dismissalDate != nil { throw .invalid("dismissalDate", "dismissalDate is given to an update or the end") }
        var alert: (title: String, body: String, sound: String?)?
        if let given = self.alert {
            guard let title = given.title, !title.isEmpty else { throw .missing("alert.title") }
            guard let body = given.body, !body.isEmpty else { throw .missing("alert.body") }
            alert = (title, body, given.sound)
        }
        let liveActivity = LiveActivityEvent(
            event: event, timestamp: Int(now.timeIntervalSince1970.rounded(.down)), contentState: state, attributesType: attributesType,
            attributes: attributeValues, staleDate: try Self.date(staleDate, field: "staleDate"),
            dismissalDate: try Self.date(dismissalDate, field: "dismissalDate"), relevanceScore: relevanceScore, priority: priority)
        return (liveActivity, alert)
    }

    /// A date as APNs takes it, in Unix seconds: a whole number of seconds, or an ISO 8601 text (`2026-12-04T10:00:00Z`,
    /// fractions of a second dropped).
    public static func date(_ value: JSONValue?, field: String) throws(PerchError) -> Int? {
        guard let value, value != .null else { return nil }
        switch value {
        case .integer, .number:
            guard let seconds = value.integerValue, seconds > 0 else { throw .invalid(field, "\(field) is Unix seconds or an ISO 8601 date") }
            return seconds
        case .string(let text):
            let plain = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
                throw .invalid(field, "\(field) is Unix seconds or an ISO 8601 date")
            }
            return Int(date.timeIntervalSince1970.rounded(.down))
        default:
            throw .invalid(field, "\(field) is Unix seconds or an ISO 8601 date")
        }
    }
}
