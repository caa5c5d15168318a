import Foundation
import Testing
import PerchCore

@Suite("gorush notifications")
struct GorushNotificationTests {
    func decode(_ json: String) throws -> GorushNotification {
        try JSONDecoder().decode(GorushNotification.self, from: Data(json.utf8))
    }

    @Test func platformsMapToAPNsAndFCMAndOthersAreRefusedByName() throws {
        #expect(try GorushNotification(tokens: [], platform: 1).destinationPlatform() == .apns)
        #expect(try GorushNotification(tokens: [], platform: 2).destinationPlatform() == .fcm)
        #expect(throws: PerchError(.unsupported, "platform 3 is Huawei HMS in gorush; Perch sends to APNs (1) and FCM (2) only", field: "platform")) {
            try GorushNotification(tokens: [], platform: 3).destinationPlatform()
        }
        #expect(throws: PerchError.self) { try GorushNotification(tokens: [], platform: 9).destinationPlatform() }
    }

    @Test func iOSFieldsBecomeTheAPNsBlock() throws {
        let notification = try decode("""
            {"tokens": ["a"], "platform": 1, "alert": {"title": "Game Request", "body": "Bob wants to play poker", "action-loc-key": "PLAY"},
             "badge": 5, "priority": "high", "content_available": true, "mutable_content": true, "category": "INVITE",
             "thread_id": "t1", "expiration": 1900000000, "push_type": "alert", "collapse_id": "c1",
             "sound": {"critical": 1, "name": "default", "volume": 2.0}, "development": true}
            """)
        let message = try notification.message(now: Date(timeIntervalSince1970: 1_899_999_000))
        #expect(message.title == "Game Request" && message.body == "Bob wants to play poker" && message.badge == 5 && message.sound == "default")
        let apns = try message.renderAPNs()
        let payload = try #require(JSONValue(jsonText: String(decoding: apns.payload, as: UTF8.self))?.objectValue?["aps"]?.objectValue)
        #expect(payload["alert"]?.objectValue?["action-loc-key"] == "PLAY")
        #expect(payload["content-available"] == 1 && payload["mutable-content"] == 1 && payload["category"] == "INVITE" && payload["thread-id"] == "t1")
        #expect(payload["sound"]?.objectValue?["name"] == "default" && payload["sound"]?.objectValue?["critical"] == 1)
        #expect(payload["sound"]?.objectValue?["volume"] != nil)
        #expect(apns.priority == 10 && apns.expiration == 1_900_000_000 && apns.collapseId == "c1" && apns.pushType == "alert")
        #expect(notification.apnsEnvironment == .sandbox)
        #expect(notification.timeToLive(now: Date(timeIntervalSince1970: 1_899_999_000)) == 1000)
    }

    @Test func androidFieldsBecomeTheFCMBlock() throws {
        let notification = try decode("""
            {"tokens": ["a"], "platform": 2, "message": "Hello", "title": "Hi", "priority": "normal", "collapse_key": "k",
             "time_to_live": 60, "notification": {"icon": "myicon", "color": "#112244"}, "data": {"Nick": "Mario", "n": 2}}
            """)
        let message = try notification.message(now: Date())
        #expect(message.fcm?["android"] == ["priority": "NORMAL", "collapse_key": "k", "notification": ["icon": "myicon", "color": "#112244"]])
        #expect(message.data == ["Nick": "Mario", "n": 2])
        #expect(notification.timeToLive(now: Date()) == 60)
    }

    @Test func topicsDryRunsAndUnknownPrioritiesAreRefused() throws {
        #expect(throws: PerchError.self) { try decode(#"{"to": "/topics/foo-bar", "platform": 2, "message": "x"}"#).message(now: Date()) }
        #expect(throws: PerchError.self) { try decode(#"{"tokens": ["a"], "platform": 2, "dry_run": true}"#).message(now: Date()) }
        #expect(throws: PerchError.self) { try decode(#"{"tokens": ["a"], "platform": 2, "priority": "urgent"}"#).message(now: Date()) }
    }

    @Test func logsMaskTokens() {
        #expect(GorushPushLog.mask("feedbeef00000000000000000000000000000000000000000000000000001234") == "feed" + String(repeating: "*", count: 56) + "1234")
        #expect(GorushPushLog.mask("token_a") == "*******")
    }
}
