import Foundation

/// What a row gets when it asks for an array or a bare value: every write is refused, and the row with it.
struct NestedRefusal: UnkeyedEncodingContainer, SingleValueEncodingContainer {
    let target: RecordSetEncoder
    let codingPath: [any CodingKey]
    var count: Int { 0 }

    init(target: RecordSetEncoder, codingPath: [any CodingKey]) {
        self.target = target
        self.codingPath = codingPath
        target.nested = codingPath
    }

    private func refuse(_ value: Any) throws -> Never {
        throw RecordSetEncoder.nestedValue(value, at: codingPath)
    }

    mutating func encodeNil() throws { try refuse(Optional<Int>.none as Any) }
    mutating func encode(_ value: Bool) throws { try refuse(value) }
    mutating func encode(_ value: String) throws { try refuse(value) }
    mutating func encode(_ value: Double) throws { try refuse(value) }
    mutating func encode(_ value: Float) throws { try refuse(value) }
    mutating func encode(_ value: Int) throws { try refuse(value) }
    mutating func encode(_ value: Int8) throws { try refuse(value) }
    mutating func encode(_ value: Int16) throws { try refuse(value) }
    mutating func encode(_ value: Int32) throws { try refuse(value) }
    mutating func encode(_ value: Int64) throws { try refuse(value) }
    mutating func encode(_ value: UInt) throws { try refuse(value) }
    mutating func encode(_ value: UInt8) throws { try refuse(value) }
    mutating func encode(_ value: UInt16) throws { try refuse(value) }
    mutating func encode(_ value: UInt32) throws { try refuse(value) }
    mutating func encode(_ value: UInt64) throws { try refuse(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try refuse(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(RowContainer<NestedKey>(target: target))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    mutating func superEncoder() -> any Encoder { RowEncoder(target: target) }
}
