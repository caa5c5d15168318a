import Foundation
import PerchCore
import PerchStore

/// A campaign as the API shows it: its definition, where it is in its life, and its numbers.
struct CampaignView: Encodable {
    var id: String
    var kind: String
    var status: String
    var name: String
    var definition: CampaignDefinition
    var createdAt: Date
    var updatedAt: Date
    var startAt: Date?
    var startedAt: Date?
    var resolvedAt: Date?
    var completedAt: Date?
    var cancelledAt: Date?
    var counts: CampaignCounts?
    /// Platforms whose sends are stopped because the gateway refused the app's credentials.
    var pausedGateways: [GatewayPause]?

    init(_ record: CampaignRecord, counts: CampaignCounts? = nil, pausedGateways: [GatewayPause]? = nil) {
        id = record.id
        kind = record.kind.rawValue
        status = record.status.rawValue
        name = record.definition.name
        definition = record.definition
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        startAt = record.startAt
        startedAt = record.startedAt
        resolvedAt = record.resolvedAt
        completedAt = record.completedAt
        cancelledAt = record.cancelledAt
        self.counts = counts
        self.pausedGateways = pausedGateways.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Why one installation was or was not sent a campaign.
struct ExplainView: Encodable {
    struct Decision: Encodable {
        var deliveryId: String
        var tokenId: String
        var platform: String
        var occurrence: String?
        var variant: Int?
        /// `sent`, `queued`, `failed` or `left_out`.
        var verdict: String
        var state: String
        var outcome: String?
        var reason: String?
        var explanation: String
        var attempts: Int
        var dueAt: Date
        var acceptedAt: Date?

        init(_ record: DeliveryRecord) {
            deliveryId = record.id
            tokenId = record.tokenId
            platform = record.platform.rawValue
            occurrence = record.occurrence
            variant = record.variant
            state = record.state
            outcome = record.outcome
            reason = record.reason
            attempts = record.attempts
            dueAt = record.dueAt
            acceptedAt = record.acceptedAt
            switch record.state {
            case "accepted":
                verdict = "sent"
                explanation = "accepted by the gateway"
            case "pending", "retry", "sending":
                verdict = "queued"
                explanation = record.state == "retry" ? "waiting to retry after \(record.reason ?? "an error")" : "due at \(record.dueAt)"
            case "failed":
                verdict = "failed"
                explanation = record.outcome == "retired" ? "the gateway declared the token dead (\(record.reason ?? "")); it was retired"
                    : "the send failed: \(record.reasonDetail ?? record.reason ?? "unknown")"
            default:
                verdict = "left_out"
                explanation = record.reasonDetail ?? record.reason ?? "left out"
            }
        }
    }

    var campaignId: String
    var installationId: String
    /// `sent`, `queued`, `failed`, `left_out`, `not_in_audience` or `not_resolved_yet`.
    var verdict: String
    var explanation: String
    var decisions: [Decision]
}
