import Foundation
import PerchCore

/// The rules of the push types that have their own topic: Live Activities (`liveactivity` ↔
/// `<bundle id>.push-type.liveactivity`) and PushKit VoIP (`voip` ↔ `<bundle id>.voip`), and the shape of a Live
/// Activity payload.
extension SimulatedAPNs {
    /// The topic suffix each push type with its own topic needs.
    static let topicSuffixes: [String: String] = ["liveactivity": ".push-type.liveactivity", "voip": ".voip"]

    /// A push type sent to another type's topic: APNs refuses a Live Activity or VoIP push to the bare bundle id
    /// (`TopicDisallowed`), and another push type to a Live Activity or VoIP topic (`InvalidPushType`); a Live
    /// Activity's priority is 5 or 10 (`BadPriority`).
    func pushTypeProblem(pushType: String, topic: String, priority: String?) -> (Int, String)? {
        if let suffix = Self.topicSuffixes[pushType], !topic.hasSuffix(suffix) { return (400, "TopicDisallowed") }
        for (type, suffix) in Self.topicSuffixes where type != pushType && topic.hasSuffix(suffix) {
            return (400, "InvalidPushType")
        }
        if pushType == LiveActivityEvent.apnsPushType, let priority, !["5", "10"].contains(priority) { return (400, "BadPriority") }
        return nil
    }

    /// What ActivityKit needs of a Live Activity payload: `aps.event` (start, update or end), `aps.timestamp`,
    /// `aps.content-state`, and for a start `aps.attributes-type` and `aps.attributes`. The device would drop a push
    /// without them; the simulator says so at once with 400 `InvalidLiveActivityPayload` (its own reason: APNs itself
    /// would accept and lose it).
    func liveActivityPayloadProblem(_ body: Data) -> String? {
        guard case .object(let root)? = try? JSONDecoder().decode(JSONValue.self, from: body),
              case .object(let aps)? = root["aps"],
              let event = aps["event"]?.stringValue.flatMap(LiveActivityEvent.Event.init(rawValue:)),
              aps["timestamp"]?.integerValue != nil,
              case .object? = aps["content-state"]
        else { return Self.liveActivityPayloadReason }
        if event == .start {
            guard aps["attributes-type"]?.stringValue?.isEmpty == false, case .object? = aps["attributes"] else {
                return Self.liveActivityPayloadReason
            }
        }
        return nil
    }

    static let liveActivityPayloadReason = "InvalidLiveActivityPayload"
}
