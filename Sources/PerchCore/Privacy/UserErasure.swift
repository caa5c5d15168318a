import Foundation

/// What erasing a person (`DELETE /v1/users/{userId}`) changes beyond the rows that are theirs: the
/// campaigns and transactional sends whose audience names them or one of their installations. The rows
/// that belong to the person (installations, tokens, consent, events, deliveries, triggers, registry log)
/// are deleted by the store; their id must not survive in anything else it keeps.
public struct UserErasure: Sendable, Hashable {
    public var userId: String
    public var installationIds: Set<String>

    public init(userId: String, installationIds: some Sequence<String>) {
        self.userId = userId
        self.installationIds = Set(installationIds)
    }

    /// The definition without the person: their user id and installation ids taken out of the audience.
    /// `nil` when the definition does not name them, so the store writes only what changes.
    public func scrubbed(_ definition: CampaignDefinition) -> CampaignDefinition? {
        var audience = definition.audience
        audience.userIds = audience.userIds?.filter { $0 != userId }
        audience.installationIds = audience.installationIds?.filter { !installationIds.contains($0) }
        guard audience != definition.audience else { return nil }
        var scrubbed = definition
        scrubbed.audience = audience
        return scrubbed
    }
}
