import Testing
@testable import PerchCore

@Suite("The platform limits of a message's fields")
struct MessageFieldRulesTests {
    func message(_ change: (inout PushMessage) -> Void) -> PushMessage {
        var message = PushMessage(title: "t", body: "b")
        change(&message)
        return message
    }

    @Test("A message using every field within its limits passes")
    func withinLimits() throws {
        try MessageFieldRules.validate(message {
            $0.image = "http://cdn.example/a.png"; $0.badge = 0; $0.sound = "default"; $0.interruptionLevel = .critical
            $0.relevanceScore = 1; $0.threadId = "t"; $0.collapseId = String(repeating: "c", count: 32); $0.channelId = "c"
            $0.urgency = .veryLow; $0.actions = [.init(action: "a", title: "A"), .init(action: "b", title: "B", icon: "https://x.example/i.png")]
            $0.requireInteraction = true
        })
        // With a topic, collapseId may use all of apns-collapse-id's 64 bytes and any characters.
        try MessageFieldRules.validate(message { $0.collapseId = String(repeating: "é", count: 32); $0.topic = "t" })
    }

    @Test("Each limit is refused with a 400 naming the field under the message's own name")
    func refusals() {
        let cases: [(String, (inout PushMessage) -> Void)] = [
            ("message.image", { $0.image = "ftp://cdn.example/a.png" }),
            ("message.image", { $0.image = "not a url" }),
            ("message.badge", { $0.badge = -1 }),
            ("message.sound", { $0.sound = "" }),
            ("message.relevanceScore", { $0.relevanceScore = 1.5 }),
            ("message.relevanceScore", { $0.relevanceScore = -.infinity }),
            ("message.threadId", { $0.threadId = String(repeating: "x", count: 257) }),
            ("message.channelId", { $0.channelId = "" }),
            ("message.collapseId", { $0.collapseId = String(repeating: "c", count: 65); $0.topic = "t" }),
            ("message.collapseId", { $0.collapseId = String(repeating: "é", count: 33); $0.topic = "t" }),
            ("message.collapseId", { $0.collapseId = "order.42" }),
            ("message.topic", { $0.topic = String(repeating: "t", count: 33) }),
            ("message.topic", { $0.topic = "a b" }),
            ("message.actions", { $0.actions = [.init(action: "a", title: "A"), .init(action: "b", title: "B"), .init(action: "c", title: "C")] }),
            ("message.actions[1].action", { $0.actions = [.init(action: "a", title: "A"), .init(action: "a", title: "B")] }),
            ("message.actions[0].title", { $0.actions = [.init(action: "a", title: "")] }),
            ("message.actions[0].icon", { $0.actions = [.init(action: "a", title: "A", icon: "javascript:alert(1)")] }),
        ]
        for (field, change) in cases {
            expectPerchError(field: field, code: .invalidField) { try MessageFieldRules.validate(message(change)) }
        }
        expectPerchError(field: "variants[1].message.badge") {
            try MessageFieldRules.validate(message { $0.badge = -3 }, field: "variants[1].message")
        }
    }

    @Test("gorush notifications are checked by the same rules, named as gorush spells them")
    func gorush() throws {
        var notification = GorushNotification(tokens: ["a"], platform: 1, message: "m")
        notification.collapseId = String(repeating: "c", count: 65)
        expectPerchError(field: "notifications[3].collapse_id") { try notification.checkLimits(index: 3, now: .init()) }
        notification.collapseId = nil
        notification.interruptionLevel = "loud"
        expectPerchError(field: "notifications[0].interruption_level") { try notification.checkLimits(index: 0, now: .init()) }
        notification.interruptionLevel = "time-sensitive"
        notification.badge = -1
        expectPerchError(field: "notifications[0].badge") { try notification.checkLimits(index: 0, now: .init()) }
        notification.badge = 1
        try notification.checkLimits(index: 0, now: .init())
    }
}
