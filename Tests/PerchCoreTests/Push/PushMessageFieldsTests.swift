import Foundation
import PerchCore
import Testing

@Suite("Rendering a message's common fields per platform")
struct PushMessageFieldsTests {
    /// Every common field set at once.
    let message = PushMessage(
        title: "Gate change", body: "Now boarding at B12", image: "https://air.example/b12.png", badge: 2, sound: "chime.caf",
        interruptionLevel: .timeSensitive, relevanceScore: 0.75, threadId: "flight-LH400", collapseId: "gate-LH400",
        channelId: "flight_updates", urgency: .high, actions: [.init(action: "map", title: "Show map", icon: "https://air.example/map.png"),
                                                              .init(action: "dismiss", title: "Dismiss")],
        requireInteraction: true)

    func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test("APNs: thread-id, interruption-level and relevance-score in aps; collapse id and priority as headers, byte for byte")
    func apns() throws {
        let rendered = try message.renderAPNs()
        #expect(text(rendered.payload) == #"{"aps":{"alert":{"body":"Now boarding at B12","title":"Gate change"},"badge":2,"#
            + #""interruption-level":"time-sensitive","mutable-content":1,"relevance-score":0.75,"sound":"chime.caf","thread-id":"flight-LH400"},"#
            + #""image":"https://air.example/b12.png"}"#)
        #expect(rendered.collapseId == "gate-LH400")
        #expect(rendered.priority == 10)
        #expect(rendered.pushType == "alert")
    }

    @Test("APNs: urgency normal, low and very-low ask for priority 5; no urgency sends no priority")
    func apnsPriority() throws {
        for urgency in [PushMessage.Urgency.normal, .low, .veryLow] {
            #expect(try PushMessage(title: "t", body: "b", urgency: urgency).renderAPNs().priority == 5)
        }
        #expect(try PushMessage(title: "t", body: "b").renderAPNs().priority == nil)
        #expect(try PushMessage(title: "t", body: "b").renderAPNs().collapseId == nil)
    }

    @Test("APNs: the apns block still overrides the common fields")
    func apnsBlockWins() throws {
        var message = self.message
        message.apns = ["headers": ["apns-priority": 5, "apns-collapse-id": "other"], "payload": ["aps": ["interruption-level": "passive"]]]
        let rendered = try message.renderAPNs()
        #expect(rendered.priority == 5 && rendered.collapseId == "other")
        let aps = try JSONDecoder().decode([String: JSONValue].self, from: rendered.payload)["aps"]?.objectValue
        #expect(aps?["interruption-level"] == "passive")
        #expect(aps?["thread-id"] == "flight-LH400")
    }

    @Test("FCM: android collapse_key, priority and channel_id; apns headers and aps fields; webpush headers and notification")
    func fcm() throws {
        let rendered = try message.renderFCM(token: "tok", timeToLive: 60, now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(text(rendered.requestBody) == #"{"message":{"#
            + #""android":{"collapse_key":"gate-LH400","notification":{"channel_id":"flight_updates","notification_count":2,"sound":"chime.caf"},"#
            + #""priority":"HIGH","ttl":"60s"},"#
            + #""apns":{"headers":{"apns-collapse-id":"gate-LH400","apns-expiration":"1800000060","apns-priority":"10"},"#
            + #""payload":{"aps":{"badge":2,"interruption-level":"time-sensitive","mutable-content":1,"relevance-score":0.75,"#
            + #""sound":"chime.caf","thread-id":"flight-LH400"}}},"#
            + #""notification":{"body":"Now boarding at B12","image":"https://air.example/b12.png","title":"Gate change"},"#
            + #""token":"tok","#
            + #""webpush":{"headers":{"TTL":"60","Topic":"gate-LH400","Urgency":"high"},"#
            + #""notification":{"actions":[{"action":"map","icon":"https://air.example/map.png","title":"Show map"},"#
            + #"{"action":"dismiss","title":"Dismiss"}],"requireInteraction":true}}}}"#)
    }

    @Test("FCM: the fcm block still overrides the common fields")
    func fcmBlockWins() throws {
        var message = self.message
        message.fcm = ["android": ["priority": "NORMAL", "notification": ["channel_id": "other"]]]
        let body = try JSONDecoder().decode([String: JSONValue].self, from: message.renderFCM(token: "tok").requestBody)
        let android = body["message"]?.objectValue?["android"]?.objectValue
        #expect(android?["priority"] == "NORMAL")
        #expect(android?["notification"]?.objectValue?["channel_id"] == "other")
        #expect(android?["collapse_key"] == "gate-LH400")
    }

    @Test("Web Push: actions and requireInteraction in the plaintext; Urgency and Topic headers")
    func webPush() throws {
        let rendered = try message.renderWebPush()
        #expect(text(rendered.plaintext) == #"{"actions":[{"action":"map","icon":"https://air.example/map.png","title":"Show map"},"#
            + #"{"action":"dismiss","title":"Dismiss"}],"badge":2,"body":"Now boarding at B12","image":"https://air.example/b12.png","#
            + #""requireInteraction":true,"sound":"chime.caf","title":"Gate change"}"#)
        #expect(rendered.urgency == "high")
        #expect(rendered.topic == "gate-LH400")
    }

    @Test("Web Push: topic wins over collapseId as the Topic; the webpush block's headers win over both")
    func webPushTopic() throws {
        var message = PushMessage(title: "t", body: "b", collapseId: "a-long-collapse-id-that-is-not-a-topic.v1", urgency: .low, topic: "scores")
        #expect(try message.renderWebPush().topic == "scores")
        #expect(try message.renderAPNs().collapseId == "a-long-collapse-id-that-is-not-a-topic.v1")
        message.webpush = ["headers": ["Topic": "override", "Urgency": "very-low"]]
        let rendered = try message.renderWebPush()
        #expect(rendered.topic == "override" && rendered.urgency == "very-low")
    }

    @Test("The fields decode from the contract's JSON names and encode back the same")
    func codable() throws {
        let json = #"{"title":"t","body":"b","interruptionLevel":"critical","relevanceScore":1,"threadId":"x","collapseId":"c","#
            + #""channelId":"ch","urgency":"very-low","topic":"tp","actions":[{"action":"a","title":"A"}],"requireInteraction":false}"#
        let decoded = try JSONDecoder().decode(PushMessage.self, from: Data(json.utf8))
        #expect(decoded.interruptionLevel == .critical && decoded.urgency == .veryLow && decoded.relevanceScore == 1)
        #expect(decoded.actions == [.init(action: "a", title: "A")] && decoded.requireInteraction == false)
        #expect(try JSONDecoder().decode(PushMessage.self, from: JSONEncoder().encode(decoded)) == decoded)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PushMessage.self, from: Data(#"{"title":"t","body":"b","urgency":"urgent"}"#.utf8))
        }
    }
}
