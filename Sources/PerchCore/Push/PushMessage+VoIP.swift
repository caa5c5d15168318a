import Foundation

extension PushMessage {
    /// The APNs push type of a PushKit VoIP push (topic `<bundle id>.voip`).
    public static let voipPushType = "voip"

    /// The message as a VoIP push: `apns-push-type: voip` and `apns-priority: 10` (PushKit wakes the app at once or
    /// not at all), payloads up to 5120 bytes.
    public func asVoIP() -> PushMessage {
        var message = self
        var block = apns ?? [:]
        var headers = block["headers"]?.objectValue ?? [:]
        headers["apns-push-type"] = .string(Self.voipPushType)
        headers["apns-priority"] = .integer(10)
        block["headers"] = .object(headers)
        message.apns = block
        return message
    }

    /// Whether the message is a VoIP push, which only APNs carries (so only APNs' limits apply to it).
    public var isVoIP: Bool {
        apns?["headers"]?.objectValue?["apns-push-type"]?.stringValue == Self.voipPushType
    }
}
