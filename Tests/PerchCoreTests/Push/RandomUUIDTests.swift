import Foundation
import PerchCore
import Testing

/// `UUID.random()` (Perch's, instead of `UUID()`) draws Foundation's `UUID.random(using:)` from the system generator.
/// The layout it relies on is RFC 9562 §5.4's; the expected strings are Python's `uuid.UUID(bytes=…, version=4)` for
/// the same 16 bytes.
@Suite("Random UUIDs")
struct RandomUUIDTests {
    /// Hands out the given words in turn.
    struct Words: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test("the two draws are the id's bytes, most significant first, with version 4 and variant 10 set over them")
    func layout() {
        var words = Words(words: [0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210])
        #expect(UUID.random(using: &words).uuidString.lowercased() == "01234567-89ab-4def-bedc-ba9876543210")
        var ones = Words(words: [.max, .max])
        #expect(UUID.random(using: &ones).uuidString.lowercased() == "ffffffff-ffff-4fff-bfff-ffffffffffff")
        var zeros = Words(words: [0, 0])
        #expect(UUID.random(using: &zeros).uuidString.lowercased() == "00000000-0000-4000-8000-000000000000")
    }

    @Test("ids from the system generator are version 4, variant 10, and distinct")
    func systemIds() {
        let ids = (0..<10_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            #expect(id.uuid.6 >> 4 == 4 && id.uuid.8 >> 6 == 0b10)
            #expect(UUID(uuidString: id.uuidString) == id)
        }
    }
}
