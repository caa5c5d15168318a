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

    /// One UTC day of the campaign: the deliveries queued that day, the events of the attribution window that occurred
    /// that day, and the people whose first conversion in the window fell that day, per side of the holdout.
    struct Day: Encodable {
        /// The start of the day, UTC (as the token growth series has it).
        var day: Date
        var tokens: Int
        var queued: Int
        var funnel: FunnelReport
        var variants: [Variant]
        var retired: Int
        var failedByReason: [String: Int]
        var suppressedByReason: [String: Int]
        var treatmentConverters: Int
        var treatmentRevenue: Double
        var holdoutConverters: Int
        var holdoutRevenue: Double
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
    /// Per UTC day, oldest first: docs/metrics.md.
    var byDay: [Day]

    init(_ record: CampaignRecord, _ report: CampaignReportCounts) {
        let counts = report.counts
        campaignId = record.id
        name = record.definition.name
        status = record.status.rawValue
        startedAt = record.startedAt
        completedAt = record.completedAt
        tokens = counts.tokens
        queued = counts.queued
        funnel = Self.funnel(counts)
        variants = Self.variants(of: record, counts)
        lift = LiftEstimate(treatmentPeople: counts.treatment.people, treatmentConverted: counts.treatment.converted,
                            holdoutPeople: counts.holdout.people, holdoutConverted: counts.holdout.converted)
        retired = counts.retired
        failedByReason = counts.failedByReason
        suppressedByReason = counts.suppressedByReason
        revocationsWithin7Days = counts.revocationsWithin7Days
        unregistrationsWithin7Days = counts.unregistrationsWithin7Days
        revocationRate = FunnelReport.ratio(Double(counts.revocationsWithin7Days), counts.accepted)
        byLocale = report.byLocale.mapValues(Self.funnel)
        byDay = report.byDay.sorted { $0.key < $1.key }.map { day, counts in
            Day(day: Date(timeIntervalSince1970: Double(day) * 86_400), tokens: counts.tokens, queued: counts.queued,
                funnel: Self.funnel(counts), variants: Self.variants(of: record, counts), retired: counts.retired,
                failedByReason: counts.failedByReason, suppressedByReason: counts.suppressedByReason,
                treatmentConverters: counts.treatment.converted, treatmentRevenue: counts.treatment.revenue,
                holdoutConverters: counts.holdout.converted, holdoutRevenue: counts.holdout.revenue)
        }
    }

    private static func funnel(_ counts: CampaignCounts) -> FunnelReport {
        FunnelReport(attempted: counts.attempted, accepted: counts.accepted, delivered: counts.received, opened: counts.opened,
                     converted: counts.converted, revenue: counts.revenue)
    }

    private static func variants(of record: CampaignRecord, _ counts: CampaignCounts) -> [Variant] {
        (record.definition.variants ?? []).enumerated().map { index, variant in
            let numbers = counts.variants[String(index)] ?? .init()
            return Variant(index: index, name: variant.name,
                           funnel: FunnelReport(attempted: numbers.attempted, accepted: numbers.accepted, delivered: numbers.received,
                                                opened: numbers.opened, converted: numbers.converted, revenue: numbers.revenue))
        }
    }
}
