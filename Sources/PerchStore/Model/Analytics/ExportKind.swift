/// What `GET /v1/exports/{kind}` streams, and its columns in order. Never a raw token or key.
public enum ExportKind: String, Sendable, Hashable, CaseIterable {
    case deliveries
    case events
    case tokens

    public var columns: [String] {
        switch self {
        case .deliveries:
            ["id", "campaignId", "occurrence", "tokenId", "installationId", "userId", "platform", "variant", "state", "outcome", "reason",
             "attempts", "dueAt", "acceptedAt", "createdAt", "updatedAt"]
        case .events:
            ["seq", "id", "type", "installationId", "userId", "campaignId", "deliveryId", "value", "currency", "occurredAt", "receivedAt",
             "properties"]
        case .tokens:
            ["id", "installationId", "userId", "platform", "environment", "status", "statusReason", "statusAt", "createdAt", "lastSeenAt",
             "lastTokenUpdateAt"]
        }
    }
}
