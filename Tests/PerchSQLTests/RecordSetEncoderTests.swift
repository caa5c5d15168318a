import Foundation
import PerchCore
import PerchStore
import Testing
@testable import PerchSQL

/// The record sets both backends read (`jsonb_to_recordset`, `json_each`) say what `JSONEncoder` with snake_case keys
/// said, which they were written with before (session 32).
@Suite("Record sets written without JSONEncoder")
struct RecordSetEncoderTests {
    struct Row: Codable, Equatable {
        var id: String
        var campaignId: String
        var userId: String?
        var variant: Int?
        var attempts: Int64
        var dueAt: Double
        var expiresAt: Double?
        var held: Bool
        var reasonDetail: String?
    }

    /// Both texts read as the same array of objects (numbers compared as the doubles they denote).
    func expectSameJSON(_ ours: String, _ theirs: Data, _ comment: Comment? = nil) throws {
        let a = try #require(try JSONSerialization.jsonObject(with: Data(ours.utf8)) as? NSArray)
        let b = try #require(try JSONSerialization.jsonObject(with: theirs) as? NSArray)
        #expect(a == b, comment)
    }

    func foundationJSON<T: Encodable>(_ rows: [T]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(rows)
    }

    @Test("random rows read back as themselves and as JSONEncoder wrote them: escapes, unicode, doubles to the bit, nil left out")
    func randomRows() throws {
        // A new seed each run, named in every failure so that it replays.
        let seed = UInt64.random(in: 0 ... .max)
        var random = SeededGenerator(seed: seed)
        let pieces = ["a", "\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "/", "é", "日本", "🐦", " ", "'", "\u{7F}"]
        func text() -> String { (0..<Int.random(in: 0...12, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() }
        func double() -> Double {
            [Double.random(in: 0...2_000_000_000, using: &random), 1_800_000_000, 0.1, -0.0, 1e-7, 5e300, Double.leastNonzeroMagnitude,
             Double(Int.random(in: -1000...1000, using: &random)) / 3].randomElement(using: &random)!
        }
        for _ in 0..<200 {
            let rows = (0..<Int.random(in: 0...20, using: &random)).map { _ in
                Row(id: text(), campaignId: text(), userId: Bool.random(using: &random) ? text() : nil,
                    variant: Bool.random(using: &random) ? Int.random(in: -5...5, using: &random) : nil, attempts: Int64.random(in: .min ... .max, using: &random),
                    dueAt: double(), expiresAt: Bool.random(using: &random) ? double() : nil, held: Bool.random(using: &random),
                    reasonDetail: Bool.random(using: &random) ? text() : nil)
            }
            let ours = try SQLRecordSet.json(rows)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let back = try decoder.decode([Row].self, from: Data(ours.utf8))
            #expect(back == rows, "seed \(seed)")
            #expect(zip(back, rows).allSatisfy { $0.dueAt.bitPattern == $1.dueAt.bitPattern && $0.expiresAt?.bitPattern == $1.expiresAt?.bitPattern },
                    "-0.0 stays -0.0; seed \(seed)")
            try expectSameJSON(ours, try foundationJSON(rows), "seed \(seed)")
            #expect(!ours.contains("null"), "nil properties are left out; seed \(seed)")
        }
    }

    @Test("property names (lower camelCase) become snake_case as JSONEncoder's convertToSnakeCase makes them")
    func keys() throws {
        for name in ["id", "campaignId", "reasonDetail", "gatewayURLPath", "a1B", "userID", "x", "already_snake", "dueAt2"] {
            struct One: Encodable {
                let name: String
                struct Key: CodingKey {
                    var stringValue: String
                    init(stringValue: String) { self.stringValue = stringValue }
                    var intValue: Int? { nil }
                    init?(intValue: Int) { nil }
                }
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: Key.self)
                    try container.encode(1, forKey: Key(stringValue: name))
                }
            }
            try expectSameJSON(try SQLRecordSet.json([One(name: name)]), try foundationJSON([One(name: name)]), "\(name)")
        }
    }

    @Test("a batch of delivery updates is the record set it was with JSONEncoder")
    func deliveryUpdates() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000.25)
        let updates = [
            DeliveryUpdate(id: "d1", campaignId: "c", state: .accepted(gatewayMessageId: "m-\"1\""), outcome: .accepted, reason: nil),
            DeliveryUpdate(id: "d2", campaignId: "c", state: .failed(reason: "BadDeviceToken"), outcome: .failed,
                           reason: DeliveryFailureReason(platform: .apns, status: 400, code: "BadDeviceToken")),
            DeliveryUpdate(id: "d3", campaignId: "c2", state: .retry(at: now + 30, attempt: 2, reason: "TooManyRequests"), outcome: .retry, reason: nil),
        ]
        let set = try DeliveryRecordSet(updates, now: now)
        let rows = updates.compactMap { update -> DeliveryRecordSet.OutcomeRow? in
            guard let columns = update.storedOutcome(now: now) else { return nil }
            return DeliveryRecordSet.OutcomeRow(id: update.id, campaignId: update.campaignId, columns: columns)
        }
        #expect(rows.count == 3)
        try expectSameJSON(try #require(set.outcomes), try foundationJSON(rows))
    }

    @Test("a row that nests an array or an object, or holds a number JSON has not, is refused")
    func refused() {
        struct Nested: Encodable { var id = "a"; var tags = ["x"] }
        struct Deeper: Encodable { var id = "a"; var inner = ["k": 1] }
        struct Infinite: Encodable { var dueAt = Double.infinity }
        #expect(throws: EncodingError.self) { try SQLRecordSet.json([Nested()]) }
        #expect(throws: EncodingError.self) { try SQLRecordSet.json([Deeper()]) }
        #expect(throws: EncodingError.self) { try SQLRecordSet.json([Infinite()]) }
    }
}
