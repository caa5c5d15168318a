import Foundation

/// The `Encoder` a row encodes itself to: every keyed container it asks for writes into the same object.
struct RowEncoder: Encoder {
    let target: RecordSetEncoder
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RowContainer<Key>(target: target))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { NestedRefusal(target: target, codingPath: []) }
    func singleValueContainer() -> any SingleValueEncodingContainer { NestedRefusal(target: target, codingPath: []) }
}
