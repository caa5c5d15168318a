import Foundation
import Testing
@testable import PerchCore

/// Push payloads are written by Perch's own JSON writer; these hold it to the bytes Foundation's `JSONEncoder` writes
/// (`.sortedKeys`, `.withoutEscapingSlashes`) for the same value, and to what `JSONSerialization` reads back.
@Suite("JSON values written as bytes")
struct JSONValueWritingTests {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A random value up to `depth` deep, with keys and strings that sort and escape awkwardly.
    static func random(depth: Int, _ generator: inout some RandomNumberGenerator) -> JSONValue {
        let texts = ["", "a", "B", "b", "a10", "a9", "A2", "é", "ü", "Z", "_x", "x/y", "quote\"d", "back\\slash", "line\nbreak",
                     "tab\t", "\u{01}\u{1F}", "emoji 🐦", "中文", "ℌ", "ﬁ", "a b", "10", "9", "-1"]
        let leaf = Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &generator)
        switch leaf {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0..<64, using: &generator))
        case 3: return .number([0.5, -0.25, 3.0, 1e21, 1e-7, 123456.789, Double.random(in: -1e6...1e6, using: &generator),
                                0.1 + 0.2].randomElement(using: &generator)!)
        case 4, 5: return .string(texts.randomElement(using: &generator)!)
        case 6: return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in random(depth: depth - 1, &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<6, using: &generator) {
                object[texts.randomElement(using: &generator)!] = random(depth: depth - 1, &generator)
            }
            return .object(object)
        }
    }

    @Test("a thousand random values are written as JSONEncoder writes them, byte for byte")
    func matchesJSONEncoder() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let value = Self.random(depth: 3, &generator)
            let written = try value.jsonData()
            let encoded = try Self.encoder.encode(value)
            #expect(written == encoded, "\(String(decoding: written, as: UTF8.self)) ≠ \(String(decoding: encoded, as: UTF8.self))")
        }
    }

    @Test("a push payload's escapes read back as the text written; a number that is not finite is refused")
    func escapesAndRefusals() throws {
        let text = "\"quoted\" \\ / \n\r\t\u{08}\u{0C}\u{00}\u{1F} é 🐦"
        let written = try JSONValue.object(["t": .string(text), "n": .number(2.5), "i": .integer(-3)]).jsonData()
        #expect(String(decoding: written, as: UTF8.self) == #"{"i":-3,"n":2.5,"t":"\"quoted\" \\ / \n\r\t\b\f\u0000\u001f é 🐦"}"#)
        let read = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
        #expect(read["t"] as? String == text)
        #expect(throws: EncodingError.self) { try JSONValue.number(.infinity).jsonData() }
        #expect(throws: EncodingError.self) { try JSONValue.array([.number(.nan)]).jsonData() }
    }

    @Test("text reads back as JSONDecoder reads it, the empty object that skips it included")
    func reading() throws {
        for text in ["{}", " {}", "{ }", "{\"a\":1}", "[]", "null", "{", "", "{}}"] {
            #expect(JSONValue(jsonText: text) == (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))), "\(text)")
        }
        #expect(JSONValue(jsonText: "{}") == .object([:]))
    }
}
