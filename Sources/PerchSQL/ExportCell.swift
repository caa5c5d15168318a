import Foundation
import PerchCore

/// A stored value as an export row shows it, the same from every backend.
public enum ExportCell {
    /// A stored time (seconds since 1970) in ISO 8601.
    public static func time(_ value: Double?) -> JSONValue {
        value.map { .string(Date(timeIntervalSince1970: $0).formatted(.iso8601)) } ?? .null
    }

    public static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    public static func integer(_ value: Int?) -> JSONValue { value.map { JSONValue.integer($0) } ?? .null }
}
