import Foundation

/// Which of one person's devices a campaign reaches, so a person with three browsers
/// does not get the message three times.
public enum DevicePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every eligible token.
    case all
    /// Only the most recently seen eligible token.
    case latest
    /// The most recently seen eligible token on each platform.
    case latestPerPlatform

    /// The token ids chosen from one user's eligible candidates (anonymous installations
    /// are each their own "person" and always chosen).
    public func choose(_ candidates: [(tokenId: String, platform: Platform, lastSeenAt: Date)]) -> Set<String> {
        switch self {
        case .all:
            return Set(candidates.map(\.tokenId))
        case .latest:
            return candidates.max(by: Self.olderFirst).map { [$0.tokenId] } ?? []
        case .latestPerPlatform:
            return Set(Dictionary(grouping: candidates, by: \.platform).values.compactMap { $0.max(by: Self.olderFirst)?.tokenId })
        }
    }

    /// Orders by last seen, ties broken by id so the choice is deterministic.
    private static func olderFirst(_ a: (tokenId: String, platform: Platform, lastSeenAt: Date),
                                   _ b: (tokenId: String, platform: Platform, lastSeenAt: Date)) -> Bool {
        a.lastSeenAt == b.lastSeenAt ? a.tokenId < b.tokenId : a.lastSeenAt < b.lastSeenAt
    }
}

extension DevicePolicy: ClosedValueSet {}
