import Foundation

/// The ids the stores give what they create.
///
/// An id starts with the millisecond it was made, so ids sort in the order they were made (as UUIDv7 and ULID do):
/// every index keyed by an id then grows at its end instead of at a random leaf. A campaign's deliveries are enqueued,
/// claimed, recorded and answered by events in roughly that order, so a batch of 1,000 events names deliveries whose
/// ids sit on a few dozen pages of `events_by_delivery` and of the deliveries' key, not on a thousand each
/// (bench/analytics/README.md, session 33). The time part is an ordering hint, never a fact: nothing reads it back,
/// and a clock that steps back costs only that locality.
public enum StoreIdentifier {
    /// Base-36 digits in ASCII order, so that fixed-width numerals sort as text (SQLite's `BINARY`, PostgreSQL's `"C"`).
    static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    /// Characters of the time part: 36^9 ms reach the year 5188.
    static let timeWidth = 9
    /// Characters of the random part: 36^11 ≈ 2^56.9, from one draw of the system generator (a system call each).
    static let randomWidth = 11

    /// A new id: the prefix, `_`, the creation time in milliseconds since 1970 (9 base-36 characters) and 11 random
    /// base-36 characters.
    public static func new(_ prefix: String, at time: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, (time.timeIntervalSince1970 * 1000).rounded()))
        return prefix + "_" + numeral(milliseconds, width: timeWidth) + numeral(generator.next(), width: randomWidth)
    }

    /// The lowest `width` base-36 digits of `value`, zero-padded.
    static func numeral(_ value: UInt64, width: Int) -> String {
        var value = value
        var characters = [UInt8](repeating: digits[0], count: width)
        for index in stride(from: width - 1, through: 0, by: -1) {
            characters[index] = digits[Int(value % 36)]
            value /= 36
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
