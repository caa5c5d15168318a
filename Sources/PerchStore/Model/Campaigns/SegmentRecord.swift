import Foundation

/// A saved audience filter.
public struct SegmentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var filter: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, filter: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.filter = filter
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
