import Foundation

/// A string field of the public contract that takes one of a fixed set of values (`interruptionLevel`, `urgency`, `quietHours.action`,
/// `devicePolicy`). Decoding another value fails as a `DecodingError.dataCorrupted` at the field, carrying an
/// ``UnknownValue`` that names every allowed value, so the 400 can list them.
public protocol ClosedValueSet: RawRepresentable, CaseIterable, Decodable where RawValue == String {}

extension ClosedValueSet {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            let allowed = Self.allCases.map(\.rawValue)
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be one of \(allowed.joined(separator: ", "))",
                                                    underlyingError: UnknownValue(allowed: allowed)))
        }
        self = value
    }
}
