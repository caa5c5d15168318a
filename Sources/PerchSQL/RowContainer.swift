import Foundation

/// A row's properties, written as they come; `nil` ones are left out (the default `encodeIfPresent`).
struct RowContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let target: RecordSetEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode(_ value: Bool, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { target.key(key.stringValue); try target.write(value, at: [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws { target.key(key.stringValue); try target.write(Double(value), at: [key]) }
    mutating func encode(_ value: Int, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { target.key(key.stringValue); target.write(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        throw RecordSetEncoder.nestedValue(value, at: [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        target.nested = [key]
        return KeyedEncodingContainer(RowContainer<NestedKey>(target: target))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { NestedRefusal(target: target, codingPath: [key]) }
    /// The same object: a subclass's properties are the row's.
    mutating func superEncoder() -> any Encoder { RowEncoder(target: target) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        target.nested = [key]
        return RowEncoder(target: target)
    }
}
