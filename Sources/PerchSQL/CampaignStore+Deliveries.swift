import Foundation
import PerchCore
import PerchStore

/// The delivery rows as people and the worker read them, written once for every ``SQLStore``.
extension CampaignStore where Self: SQLStore {
    /// Moves the lease of each row still claimed by the same attempt (still `sending` with that attempt number).
    public func extendDeliveryLeases(_ leases: [DeliveryLease], until: Date) async throws -> Int {
        guard !leases.isEmpty else { return 0 }
        return try await counts(leases.map { lease in
            SQLStatement("UPDATE deliveries SET due_at = ? WHERE app_id = ? AND id = ? AND state = 'sending' AND attempts = ? RETURNING id",
                         [.time(until), .text(lease.appId), .text(lease.id), .integer(lease.attempt)])
        }).reduce(0, +)
    }

    public func gatewayPauses(appId: String) async throws -> [GatewayPause] {
        try await rows(SQLStatement("SELECT platform, reason, since FROM gateway_pauses WHERE app_id = ? ORDER BY platform", [.text(appId)])) { row in
            let (platform, reason, since) = (try row.text(required: 0), try row.text(required: 1), try row.real(required: 2))
            return Platform(rawValue: platform).map { GatewayPause(platform: $0, reason: reason, since: Date(timeIntervalSince1970: since)) }
        }.compactMap { $0 }
    }

    public func deliveries(appId: String, campaignId: String?, installationId: String?) async throws -> [DeliveryRecord] {
        try await rows(SQLStatement("""
            SELECT id, campaign_id, occurrence, token_id, installation_id, user_id, platform, variant, state, outcome, reason, reason_detail,
                   gateway_status, gateway_message_id, attempts, due_at, created_at, updated_at, accepted_at
            FROM deliveries
            WHERE app_id = ? AND (CAST(? AS TEXT) IS NULL OR campaign_id = ?) AND (CAST(? AS TEXT) IS NULL OR installation_id = ?)
            ORDER BY created_at, id LIMIT 10000
            """, [.text(appId), .text(campaignId), .text(campaignId), .text(installationId), .text(installationId)])) { row in
            let occurrence = try row.text(required: 2)
            return DeliveryRecord(
                id: try row.text(required: 0), campaignId: try row.text(required: 1), occurrence: occurrence.isEmpty ? nil : occurrence,
                tokenId: try row.text(required: 3), installationId: try row.text(required: 4), userId: try row.text(5),
                platform: Platform(rawValue: try row.text(required: 6)) ?? .apns, variant: try row.integer(7), state: try row.text(required: 8),
                outcome: try row.text(9), reason: try row.text(10), reasonDetail: try row.text(11), gatewayStatus: try row.integer(12),
                gatewayMessageId: try row.text(13), attempts: try row.integer(required: 14),
                dueAt: Date(timeIntervalSince1970: try row.real(required: 15)), createdAt: Date(timeIntervalSince1970: try row.real(required: 16)),
                updatedAt: Date(timeIntervalSince1970: try row.real(required: 17)), acceptedAt: try row.time(18))
        }
    }
}
