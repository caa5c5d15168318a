import Foundation
import PerchCore
import PerchStore

/// `GET /v1/campaigns/{id}/report`: the funnel and its rates, per variant, the holdout lift, and what the
/// campaign cost in permissions. Every number is computed from stored deliveries and events (docs/metrics.md).
struct CampaignReportView: Encodable {
    struct Variant: Encodable {
        var index: Int
        var name: String
        var funnel: FunnelReport
    }

    var campaignId: String
    var name: String
    var status: String
    var startedAt: Date?
    var completedAt: Date?
    var tokens: Int
    var queued: Int
    var funnel: FunnelReport
    var variants: [Variant]
    var lift: LiftEstimate
    var retired: Int
    var failedByReason: [String: Int]
    var suppressedByReason: [String: Int]
    var revocationsWithin7Days: Int
    var unregistrationsWithin7Days: Int
    /// revocations / installations sent to.
    var revocationRate: Double?
    /// The funnel per localization sent (`default` for the default message): docs/metrics.md.
    var byLocale: [String: FunnelReport]

    init(_ record: CampaignRecord, _ counts: CampaignCounts, byLocale: [String: CampaignCounts] = [:]) {
        campaignId = record.id
        name = record.definition.name
        status = record.status.rawValue
        startedAt = record.startedAt
        completedAt = record.completedAt
        tokens = counts.tokens
        queued = counts.queued
        funnel = FunnelReport(attempted: counts.attempted, accepted: counts.accepted, delivered: counts.received, opened: counts.opened,
                              converted: counts.converted, revenue: counts.revenue)
        variants = (record.definition.variants ?? []).enumerated().map { index, variant in
            let numbers = counts.variants[String(index)] ?? .init()
            return Variant(index: index, name: variant.name,
                           funnel: FunnelReport(attempted: numbers.attempted, accepted: numbers.accepted, delivered: numbers.received,
                                                opened: numbers.opened, converted: numbers.converted, revenue: numbers.revenue))
        }
        lift = LiftEstimate(treatmentPeople: counts.treatment.people, treatmentConverted: counts.treatment.converted,
                            holdoutPeople: counts.holdout.people, holdoutConverted: counts.holdout.converted)
        retired = counts.retired
        failedByReason = counts.failedByReason
        suppressedByReason = counts.suppressedByReason
        revocationsWithin7Days = counts.revocationsWithin7Days
        unregistrationsWithin7Days = counts.unregistrationsWithin7Days
        revocationRate = FunnelReport.ratio(Double(counts.revocationsWithin7Days), counts.accepted)
        self.byLocale = byLocale.mapValues {
            FunnelReport(attempted: $0.attempted, accepted: $0.accepted, delivered: $0.received, opened: $0.opened, converted: $0.converted,
                         revenue: $0.revenue)
        }
    }
}
