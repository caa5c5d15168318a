import Foundation
import Testing
@testable import PerchCore

/// Live Activity pushes as APNs wants them, and the request bodies that ask for them.
@Suite("Live Activity events")
struct LiveActivityEventTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func aps(_ notification: APNsNotification) throws -> [String: JSONValue] {
        let root = try #require(try JSONDecoder().decode(JSONValue.self, from: notification.payload).objectValue)
        return try #require(root["aps"]?.objectValue)
    }

    @Test func aStartCarriesItsAttributesTypeAttributesContentStateAndAlert() throws {
        let event = LiveActivityEvent(event: .start, timestamp: 1_800_000_000, contentState: ["eta": 12], attributesType: "DeliveryAttributes",
                                      attributes: ["order": "A-1"], staleDate: 1_800_003_600, relevanceScore: 50)
        let notification = try event.renderAPNs(alert: ("Your order", "is in the oven", "default"), data: ["perchDeliveryId": "dlv_1"])
        #expect(notification.pushType == "liveactivity" && notification.priority == 10)
        let aps = try aps(notification)
        #expect(aps["event"] == "start" && aps["timestamp"] == 1_800_000_000 && aps["content-state"] == ["eta": 12])
        #expect(aps["attributes-type"] == "DeliveryAttributes" && aps["attributes"] == ["order": "A-1"])
        #expect(aps["stale-date"] == 1_800_003_600 && aps["relevance-score"] == 50)
        #expect(aps["alert"] == ["title": "Your order", "body": "is in the oven", "sound": "default"])
        #expect(aps["dismissal-date"] == nil)
        let root = try JSONDecoder().decode(JSONValue.self, from: notification.payload).objectValue
        #expect(root?["perchDeliveryId"] == "dlv_1", "data sits beside aps, as for any APNs push")
    }

    @Test func anUpdateOrEndCarriesNoAttributesAndItsOwnPriority() throws {
        let end = LiveActivityEvent(event: .end, timestamp: 1_800_000_000, contentState: [:], attributesType: "Ignored",
                                    attributes: ["x": 1], dismissalDate: 1_800_001_000, priority: 5)
        let notification = try end.renderAPNs(alert: nil, data: nil)
        #expect(notification.priority == 5)
        let aps = try aps(notification)
        #expect(aps["event"] == "end" && aps["dismissal-date"] == 1_800_001_000)
        #expect(aps["attributes"] == nil && aps["attributes-type"] == nil && aps["alert"] == nil)
    }

    @Test func aPriorityOtherThanFiveOrTenAndAnOversizedPayloadAreRefused() {
        let low = LiveActivityEvent(event: .update, timestamp: 1, contentState: [:], priority: 1)
        #expect(throws: PushMessageError.invalidHeader("apns-priority")) { try low.renderAPNs(alert: nil, data: nil) }
        let big = LiveActivityEvent(event: .update, timestamp: 1, contentState: ["x": .string(String(repeating: "y", count: 4100))])
        #expect(throws: PushMessageError.self) { try big.renderAPNs(alert: nil, data: nil) }
    }

    @Test func datesAreUnixSecondsOrISO8601() throws {
        #expect(try LiveActivityRequest.date(1_800_000_000, field: "staleDate") == 1_800_000_000)
        #expect(try LiveActivityRequest.date("2026-12-04T10:00:00Z", field: "staleDate") == 1_796_378_400)
        #expect(try LiveActivityRequest.date("2026-12-04T10:00:00.750Z", field: "staleDate") == 1_796_378_400)
        #expect(try LiveActivityRequest.date("2026-12-04T11:00:00+01:00", field: "staleDate") == 1_796_378_400)
        #expect(try LiveActivityRequest.date(nil, field: "staleDate") == nil)
        for bad: JSONValue in ["tomorrow", 0, -1, 1.5, true, ["at": 1]] {
            #expect(throws: PerchError.self) { try LiveActivityRequest.date(bad, field: "staleDate") }
        }
    }

    @Test func aRequestIsValidatedPerEventAndStampedWithTheTimeItWasAskedFor() throws {
        let start = LiveActivityRequest(activityType: "DeliveryAttributes", attributes: ["order": "A-1"], contentState: ["eta": 1],
                                        alert: .init(title: "Hi", body: "there", sound: nil), staleDate: "2026-12-04T10:00:00Z")
        let (event, alert) = try start.validated(event: .start, now: now)
        #expect(event.timestamp == 1_800_000_000 && event.attributesType == "DeliveryAttributes" && event.staleDate == 1_796_378_400)
        #expect(alert?.title == "Hi" && alert?.body == "there")

        let cases: [(LiveActivityRequest, LiveActivityEvent.Event, String)] = [
            (LiveActivityRequest(activityType: "T", attributes: [:]), .start, "contentState"),
            (LiveActivityRequest(activityType: "T", attributes: [:], contentState: "x"), .start, "contentState"),
            (LiveActivityRequest(attributes: [:], contentState: [:]), .start, "activityType"),
            (LiveActivityRequest(activityType: "T", contentState: [:]), .start, "attributes"),
            (LiveActivityRequest(activityType: "T", attributes: [:], contentState: [:], dismissalDate: 5), .start, "dismissalDate"),
            (LiveActivityRequest(activityType: "T", contentState: [:]), .update, "activityType"),
            (LiveActivityRequest(contentState: [:], priority: 1), .update, "priority"),
            (LiveActivityRequest(contentState: [:], relevanceScore: -2), .end, "relevanceScore"),
            (LiveActivityRequest(contentState: [:], alert: .init(title: nil, body: "b", sound: nil)), .end, "alert.title"),
        ]
        for (request, event, field) in cases {
            let error = #expect(throws: PerchError.self) { _ = try request.validated(event: event, now: now) }
            #expect(error?.field == field, "\(event) \(field)")
        }
    }

    @Test func aVoIPMessageTakesItsPushTypePriorityAndTheLargerLimit() throws {
        let message = PushMessage(title: "Call", body: "Grace", data: ["blob": .string(String(repeating: "v", count: 4500))]).asVoIP()
        #expect(message.isVoIP)
        let notification = try message.renderAPNs()
        #expect(notification.pushType == "voip" && notification.priority == 10)
        #expect(try PersonalisedMessage(message).sizeProblem() == nil, "5 KB is a VoIP payload, whatever FCM would say")
        let tooLarge = PushMessage(title: "Call", body: "x", data: ["blob": .string(String(repeating: "v", count: 5200))]).asVoIP()
        #expect(try PersonalisedMessage(tooLarge).sizeProblem() != nil)
    }
}
