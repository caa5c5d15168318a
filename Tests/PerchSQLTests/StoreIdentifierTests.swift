import Foundation
import Testing
@testable import PerchSQL

/// Store ids sort in the order they were made, so the indexes keyed by them grow at their end (session 33).
@Suite("Store ids")
struct StoreIdentifierTests {
    @Test("an id is the prefix, the millisecond in 9 base-36 characters and 11 random ones")
    func shape() {
        let id = StoreIdentifier.new("dlv", at: Date(timeIntervalSince1970: 1_796_601_600.123))
        #expect(id.hasPrefix("dlv_"))
        let body = id.dropFirst(4)
        #expect(body.count == 20)
        #expect(body.allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) })
        // 1,796,601,600,123 ms in base 36, computed independently of the code under test.
        #expect(body.prefix(9) == String(1_796_601_600_123, radix: 36).leftPadded(to: 9))
    }

    @Test("ids made later sort after earlier ones, as text, across digit and letter boundaries")
    func sortsByTime() {
        // Milliseconds where the numeral's last digit goes from 9 to a and from z to the next column.
        let milliseconds: [Int64] = [0, 9, 10, 35, 36, 1_295, 1_296, 1_796_601_600_123, 1_796_601_600_124, 4_000_000_000_000]
        let ids = milliseconds.map { StoreIdentifier.new("evt", at: Date(timeIntervalSince1970: Double($0) / 1000)) }
        #expect(ids == ids.sorted(), "byte order is creation order")
        #expect(Set(ids.map { $0.dropFirst(4).prefix(9) }).count == milliseconds.count, "each millisecond its own time part")
    }

    @Test("ids made in the same millisecond differ")
    func distinctWithinAMillisecond() {
        let now = Date()
        let ids = (0..<10_000).map { _ in StoreIdentifier.new("tok", at: now) }
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(13) }).count == 1, "one time part")
    }

    @Test("a time before 1970 is the lowest time part, not a crash")
    func beforeTheEpoch() {
        #expect(StoreIdentifier.new("app", at: Date(timeIntervalSince1970: -5)).dropFirst(4).hasPrefix("000000000"))
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
