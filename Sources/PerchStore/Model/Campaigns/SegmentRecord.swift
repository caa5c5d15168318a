import Foundation

/// A saved audience filter.
public struct SegmentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var filter: String
    public var createdAt: Date
    public var updatedAt: Date
}
