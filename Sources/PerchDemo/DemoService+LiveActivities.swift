import Foundation
import PerchCore

extension DemoService {
    /// Starts a match's Live Activity for the team-plan users who hold a push-to-start token for it, and moves one
    /// running order along: both through `POST /v1/live-activities`, the planner and the queue, like any campaign.
    func sendLiveActivities() async throws {
        let started = try await api.call(.POST, "/v1/live-activities", body: Self.json(#"""
            {"audience": {"filter": "user.plan == \"team\""}, "activityType": "MatchAttributes",
             "attributes": {"home": "Lions", "away": "Tigers"}, "contentState": {"home": 0, "away": 0, "minute": 0},
             "alert": {"title": "Kick-off", "body": "Lions – Tigers has started"}}
            """#))
        if let startId = started.member("campaignId")?.stringValue { _ = try await waitForCompletion(startId) }
        output("demo: started the MatchAttributes Live Activity for team-plan users: \(Self.int(started, "queued")) push-to-start tokens")
        let running = population.installations.first { installation in
            installation.consent == .granted && !installation.isDead && installation.kinds.contains { $0.activityId != nil }
        }
        if let activityId = running?.kinds.compactMap(\.activityId).first {
            let updated = try await api.call(.POST, "/v1/live-activities/\(activityId)/update",
                                             body: ["contentState": ["eta": 5, "status": "nearby"], "priority": 5])
            if let updateId = updated.member("campaignId")?.stringValue { _ = try await waitForCompletion(updateId) }
            output("demo: updated the running Live Activity \(activityId): \(Self.int(updated, "queued")) update token")
        }
    }

    /// Token health by kind, one line: `device 1840 · voip 190 · liveActivityStart 410 · liveActivity 96` active tokens.
    func tokensByKind() async throws -> String {
        let health = try await api.call(.GET, "/v1/metrics/tokens")
        let byKind = health.member("byKind")?.objectValue ?? [:]
        return TokenKindName.allCases.map { kind in
            "\(kind.rawValue) \(byKind[kind.rawValue]?.member("active")?.integerValue ?? 0)"
        }.joined(separator: " · ") + " active"
    }
}
