import Foundation
import Testing
@testable import PerchCore

/// Numbers and nesting from input never trap: each is refused with an error instead.
@Suite("Input limits")
struct InputLimitsTests {
    @Test("durations past 100 years are refused, not multiplied into an overflow", arguments: [
        "lastSeenAt within 99999999999999w", "lastSeenAt within 9223372036854775807s", "lastSeenAt within 106751991167301d",
        "lastSeenAt within 36501d", "createdAt before 99999999999999999999h", #"event("opened") within 15250843009213w"#,
    ])
    func hugeDurationsAreSyntaxErrors(_ text: String) {
        #expect(throws: FilterSyntaxError.self) { try AudienceFilter.parse(text) }
    }

    @Test func theLongestDurationIsAHundredYears() throws {
        #expect(try AudienceFilter.parse("lastSeenAt within 36500d") == .within(.lastSeenAt, .seconds(36_500 * 86_400)))
    }

    @Test func notNestsNoDeeperThanParentheses() throws {
        _ = try AudienceFilter.parse(String(repeating: "not ", count: 31) + "known")
        #expect(throws: FilterSyntaxError.self) { try AudienceFilter.parse(String(repeating: "not ", count: 32) + "known") }
        #expect(throws: FilterSyntaxError.self) { try AudienceFilter.parse(String(repeating: "not ", count: 1000) + "known") }
        #expect(throws: FilterSyntaxError.self) { try AudienceFilter.parse(String(repeating: "not (", count: 20) + "known" + String(repeating: ")", count: 20)) }
    }

    @Test func numbersPastExactDoublesAreRefused() {
        #expect(throws: FilterSyntaxError.self) { try AudienceFilter.parse("user.score > 1" + String(repeating: "0", count: 400)) }
        #expect(throws: FilterSyntaxError.self) { try AudienceFilter.parse("user.score > 10000000000000000") }
        #expect((try? AudienceFilter.parse("user.score > 1000000000000000")) != nil)
    }

    @Test func aFrequencyCapWindowNearInt64MaxEncodesWithoutTrapping() throws {
        let cap = try JSONDecoder().decode(FrequencyCap.self, from: Data(#"{"limit":1,"windowSeconds":9223372036854775807}"#.utf8))
        #expect(cap.window.components.seconds == Int64.max)
        #expect(cap.description == "1 per 9223372036854775807s")
        let text = String(decoding: try JSONEncoder().encode(cap), as: UTF8.self)
        #expect(text.contains("9223372036854775807"))
    }

    @Test func attributeValuesAreCappedInSizeAndDepth() throws {
        _ = try FieldRules.attributes(["bio": .string(String(repeating: "x", count: 1000))])
        expectPerchError(field: "attributes.bio") { _ = try FieldRules.attributes(["bio": .string(String(repeating: "x", count: 1100))]) }
        expectPerchError(field: "attributes.deep") { _ = try FieldRules.attributes(["deep": [[[[["x"]]]]]]) }
        _ = try FieldRules.attributes(["ok": [[[["x"]]]]])
        let many = Dictionary(uniqueKeysWithValues: (0...100).map { ("k\($0)", JSONValue.integer($0)) })
        expectPerchError(field: "attributes") { _ = try FieldRules.attributes(many) }
        expectPerchError(field: "properties.n") { _ = try FieldRules.attributes(["n": .array(Array(repeating: "abcdefghij", count: 100))], field: "properties") }
    }

    @Test func jsonValuesNestNoDeeperThanTheLimit() throws {
        let shallow = String(repeating: "[", count: 30) + String(repeating: "]", count: 30)
        #expect(JSONValue(jsonText: shallow) != nil)
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONValue.self, from: Data(deep.utf8)) }
    }

    @Test func gorushTimesAreBoundedAndNeverOverflow() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var notification = GorushNotification(tokens: ["t"], platform: 1, message: "hi")
        notification.expiration = Int.min
        #expect(notification.timeToLive(now: now) == 0)
        expectPerchError(field: "expiration") { _ = try notification.message(now: now) }
        notification.expiration = Int.max
        #expect(notification.timeToLive(now: now) == GorushNotification.maximumTimeToLive)
        expectPerchError(field: "expiration") { _ = try notification.message(now: now) }
        notification.expiration = nil
        notification.timeToLive = Int.max
        #expect(notification.timeToLive(now: now) == GorushNotification.maximumTimeToLive)
        expectPerchError(field: "time_to_live") { _ = try notification.message(now: now) }
        notification.timeToLive = 60
        #expect(notification.timeToLive(now: now) == 60)
        _ = try notification.message(now: now)
    }
}
