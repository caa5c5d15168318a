import Foundation
import PerchCore
import Testing

@Suite("Rendering a push message")
struct PushMessageRenderingTests {
    func object(_ data: Data) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: data)
    }

    let message = PushMessage(
        title: "Sale", body: "50% off today", data: ["orderId": 42, "vip": true, "tags": ["a", "b"]],
        url: "https://shop.example/sale", image: "https://shop.example/sale.png", badge: 3, sound: "default")

    @Test("APNs: aps.alert, badge, sound, mutable-content with an image, custom data at the top level")
    func apnsPayload() throws {
        let rendered = try message.renderAPNs()
        let payload = try object(rendered.payload)
        let aps = try #require(payload["aps"]?.objectValue)
        #expect(aps["alert"] == ["title": "Sale", "body": "50% off today"])
        #expect(aps["badge"] == 3)
        #expect(aps["sound"] == "default")
        #expect(aps["mutable-content"] == 1)
        #expect(payload["orderId"] == 42)
        #expect(payload["url"] == "https://shop.example/sale")
        #expect(payload["image"] == "https://shop.example/sale.png")
        #expect(rendered.pushType == "alert")
    }

    @Test("APNs: the apns block's payload is merged over, its headers become request headers")
    func apnsBlock() throws {
        var message = self.message
        message.apns = [
            "headers": ["apns-priority": 5, "apns-collapse-id": "sale-1", "apns-push-type": "alert"],
            "payload": ["aps": ["interruption-level": "time-sensitive", "badge": 9]],
        ]
        let rendered = try message.renderAPNs()
        let aps = try #require(try object(rendered.payload)["aps"]?.objectValue)
        #expect(aps["interruption-level"] == "time-sensitive")
        #expect(aps["badge"] == 9)
        #expect(aps["alert"] == ["title": "Sale", "body": "50% off today"])
        #expect(rendered.priority == 5)
        #expect(rendered.collapseId == "sale-1")
    }

    @Test("APNs: a payload over 4096 bytes is refused before sending; VoIP may use 5120")
    func apnsSize() throws {
        let big = PushMessage(title: "t", body: String(repeating: "x", count: 4500))
        #expect(throws: PushMessageError.self) { try big.renderAPNs() }
        var voip = big
        voip.apns = ["headers": ["apns-push-type": "voip"]]
        let rendered = try voip.renderAPNs()
        #expect(rendered.payload.count > 4096 && rendered.payloadLimit == 5120)
        let tooBigVoip = PushMessage(title: "t", body: String(repeating: "x", count: 5200), apns: ["headers": ["apns-push-type": "voip"]])
        #expect(throws: PushMessageError.self) { try tooBigVoip.renderAPNs() }
    }

    @Test("APNs: a collapse id over 64 bytes is refused")
    func collapseId() {
        let message = PushMessage(title: "t", body: "b", apns: ["headers": ["apns-collapse-id": .string(String(repeating: "c", count: 65))]])
        #expect(throws: PushMessageError.collapseIdTooLong) { try message.renderAPNs() }
    }

    @Test("FCM: notification, data as strings, android and apns blocks, token last")
    func fcmMessage() throws {
        var message = self.message
        message.fcm = ["android": ["priority": "high"], "token": "attacker", "data": ["extra": 7]]
        let rendered = try message.renderFCM(token: "fcm-token-1", timeToLive: 3600)
        let body = try #require(try object(rendered.requestBody)["message"]?.objectValue)
        #expect(body["token"] == "fcm-token-1")
        #expect(body["notification"] == ["title": "Sale", "body": "50% off today", "image": "https://shop.example/sale.png"])
        let data = try #require(body["data"]?.objectValue)
        #expect(data["orderId"] == "42")
        #expect(data["vip"] == "true")
        #expect(data["tags"] == #"["a","b"]"#)
        #expect(data["url"] == "https://shop.example/sale")
        #expect(data["extra"] == "7")
        for value in data.values { #expect(value.stringValue != nil) }
        let android = try #require(body["android"]?.objectValue)
        #expect(android["priority"] == "high")
        #expect(android["ttl"] == "3600s")
        #expect(android["notification"] == ["sound": "default", "notification_count": 3])
        #expect(body["apns"]?.objectValue?["payload"] == ["aps": ["sound": "default", "badge": 3, "mutable-content": 1]])
        #expect(body["webpush"]?.objectValue?["fcm_options"] == ["link": "https://shop.example/sale"])
    }

    @Test("FCM: more than 4096 bytes of notification and data is refused")
    func fcmSize() {
        let big = PushMessage(title: "t", body: "b", data: ["blob": .string(String(repeating: "x", count: 4100))])
        #expect(throws: PushMessageError.self) { try big.renderFCM(token: "t") }
    }

    @Test("Web Push: the plaintext a service worker reads")
    func webPushPlaintext() throws {
        let rendered = try message.renderWebPush()
        let plaintext = try object(rendered.plaintext)
        #expect(plaintext["title"] == "Sale")
        #expect(plaintext["body"] == "50% off today")
        #expect(plaintext["url"] == "https://shop.example/sale")
        #expect(plaintext["image"] == "https://shop.example/sale.png")
        #expect(plaintext["data"] == ["orderId": 42, "vip": true, "tags": ["a", "b"]])
        #expect(rendered.timeToLive == WebPushNotification.defaultTimeToLive)
    }

    @Test("Web Push: headers from the webpush block; Topic at most 32 base64url characters")
    func webPushHeaders() throws {
        var message = self.message
        message.webpush = ["headers": ["TTL": 60, "Urgency": "high", "Topic": "sale_1"], "payload": ["tag": "sale"]]
        let rendered = try message.renderWebPush()
        #expect(rendered.timeToLive == 60)
        #expect(rendered.urgency == "high")
        #expect(rendered.topic == "sale_1")
        #expect(try object(rendered.plaintext)["tag"] == "sale")
        message.webpush = ["headers": ["Topic": .string(String(repeating: "a", count: 33))]]
        #expect(throws: PushMessageError.topicInvalid) { try message.renderWebPush() }
        message.webpush = ["headers": ["Topic": "not/base64url"]]
        #expect(throws: PushMessageError.topicInvalid) { try message.renderWebPush() }
    }

    @Test("Web Push: a plaintext over 3993 bytes is refused; 3993 fits")
    func webPushSize() throws {
        let overhead = try PushMessage(title: "", body: "").renderWebPush().plaintext.count
        let fits = PushMessage(title: "", body: String(repeating: "x", count: 3993 - overhead))
        #expect(try fits.renderWebPush().plaintext.count == 3993)
        let over = PushMessage(title: "", body: String(repeating: "x", count: 3994 - overhead))
        #expect(throws: PushMessageError.payloadTooLarge(size: 3994, limit: 3993)) { try over.renderWebPush() }
    }

    @Test("the message decodes from the public contract's JSON")
    func decoding() throws {
        let json = #"{"title":"Hi","body":"There","data":{"n":1},"badge":2,"apns":{"headers":{"apns-priority":10}},"webpush":{"payload":{"tag":"x"}}}"#
        let message = try JSONDecoder().decode(PushMessage.self, from: Data(json.utf8))
        #expect(message.title == "Hi")
        #expect(message.data?["n"] == 1)
        #expect(message.badge == 2)
        #expect(message.apns?["headers"]?.objectValue?["apns-priority"] == 10)
    }
}
