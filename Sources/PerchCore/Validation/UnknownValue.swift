import Foundation

/// A value outside a ``ClosedValueSet``: what the field allows instead.
public struct UnknownValue: Error, Sendable, Hashable {
    /// Every allowed value, in the contract's order.
    public var allowed: [String]

    public init(allowed: [String]) {
        self.allowed = allowed
    }

    /// `must be one of passive, active, time-sensitive, critical`.
    public var requirement: String { "must be one of " + allowed.joined(separator: ", ") }
}
