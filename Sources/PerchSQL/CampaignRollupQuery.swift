import Foundation
import PerchCore
import PerchStore

/// A campaign's numbers read from its rollups (``RollupStatements``, with its people and withdrawals), folded by ``CampaignCounts``' rules exactly as
/// ``CampaignCountsQuery`` folds the facts: the same answer, at a cost set by the number of groups, not of rows.
///
/// Events are rolled up per UTC day with bounds on their times. A day whose rows lie wholly inside the attribution
/// window is read from the rollup; a day a window end cuts through (at most the two ends, and only when events fall
/// outside) is counted from its facts.
public enum CampaignRollupQuery {
    /// The whole campaign's counts.
    public static func counts(of campaign: CampaignRecord, on store: some SQLStore, now: Date) async throws -> CampaignCounts {
        var counts = CampaignCounts()
        for row in try await deliveryRows(of: campaign, on: store) { counts.add(row.group) }
        guard let window = CampaignCounts.attributionWindow(startedAt: campaign.startedAt, completedAt: campaign.completedAt,
                                                             attribution: campaign.definition.attributionWindow, now: now)
        else { return counts }
        for row in try await eventRows(of: campaign, window: window, on: store) {
            counts.add(CampaignCounts.EventGroup(type: row.type, variant: row.variant, count: row.count, value: row.value))
        }
        try await addPeople(of: campaign, conversions: try await conversionRows(of: campaign, window: window, on: store), on: store, to: &counts)
        return counts
    }

    /// Withdrawals within 7 days and lift's groups: the people per side of the holdout from their counts, and those
    /// of them who converted within the window, with their revenue (`conversions`: ``conversionRows(of:window:on:)``).
    static func addPeople(of campaign: CampaignRecord, conversions: [ConversionRow], on store: some SQLStore,
                          to counts: inout CampaignCounts) async throws {
        for (kind, n) in try await store.rows(RollupStatements.withdrawals(appId: campaign.appId, campaignId: campaign.id), {
            (try $0.text(required: 0), try $0.integer(required: 1))
        }) {
            if kind == "revoked" { counts.revocationsWithin7Days = n } else { counts.unregistrationsWithin7Days = n }
        }
        let people = Dictionary(try await store.rows(RollupStatements.people(appId: campaign.appId, campaignId: campaign.id), {
            (try $0.integer(required: 0) != 0, try $0.integer(required: 1))
        }), uniquingKeysWith: +)
        for group in liftGroups(conversions, people: people) { counts.add(group) }
    }

    /// Lift's groups, treatment first: `people` per side, and the converters and revenue of `rows` added up per side.
    static func liftGroups(_ rows: [ConversionRow], people: [Bool: Int] = [:]) -> [CampaignCounts.LiftGroup] {
        var groups = Dictionary(uniqueKeysWithValues: people.map { ($0, CampaignCounts.LiftGroup(heldOut: $0, people: $1, converted: 0, revenue: 0)) })
        for row in rows {
            groups[row.heldOut, default: .init(heldOut: row.heldOut, people: 0, converted: 0, revenue: 0)].converted += row.converted
            groups[row.heldOut, default: .init(heldOut: row.heldOut, people: 0, converted: 0, revenue: 0)].revenue += row.revenue
        }
        return groups.values.sorted { !$0.heldOut && $1.heldOut }
    }

    /// Converters and revenue per UTC day and side of the holdout within `window`: the days before the one the
    /// window's end cuts through from the rollup (every conversion it holds is at or after the start), that day from
    /// the facts.
    static func conversionRows(of campaign: CampaignRecord, window: ClosedRange<Date>, on store: some SQLStore) async throws -> [ConversionRow] {
        let endDay = Int((window.upperBound.timeIntervalSince1970 / RollupStatements.secondsPerDay).rounded(.down))
        let cut = max(window.lowerBound, Date(timeIntervalSince1970: Double(endDay) * RollupStatements.secondsPerDay))
        var rows = try await store.rows(RollupStatements.conversionDays(appId: campaign.appId, campaignId: campaign.id, beforeDay: endDay)) {
            ConversionRow(day: try $0.integer(required: 0), heldOut: try $0.integer(required: 1) != 0, converted: try $0.integer(required: 2),
                          revenue: try $0.real(required: 3))
        }
        rows += try await store.rows(RollupStatements.convertersBetween(
            appId: campaign.appId, campaignId: campaign.id, from: cut, until: window.upperBound)) {
                ConversionRow(day: endDay, heldOut: try $0.integer(required: 0) != 0, converted: try $0.integer(required: 1), revenue: 0)
            }
        rows += try await store.rows(RollupStatements.revenueBetween(
            appId: campaign.appId, campaignId: campaign.id, from: cut, until: window.upperBound)) {
                ConversionRow(day: endDay, heldOut: try $0.integer(required: 0) != 0, converted: 0, revenue: try $0.real(required: 1))
            }
        return rows
    }

    /// The report's numbers in one read of each rollup: the whole campaign (as ``counts(of:on:now:)``), per
    /// localization sent (attempted deliveries and the events naming them: ``CampaignLocaleQuery``) and per UTC day
    /// (deliveries on the day they were queued, events on the day they occurred, converters on the day of their first
    /// conversion, with that day's revenue: ``CampaignDayQuery``).
    public static func report(of campaign: CampaignRecord, on store: some SQLStore, now: Date) async throws -> CampaignReportCounts {
        var report = CampaignReportCounts()
        for row in try await deliveryRows(of: campaign, on: store, byDay: true) {
            report.counts.add(row.group)
            report.byDay[row.day ?? 0, default: CampaignCounts()].add(row.group)
            guard row.group.attempted else { continue }
            var group = row.group
            group.variant = nil
            report.byLocale[row.locale, default: CampaignCounts()].add(group)
        }
        guard let window = CampaignCounts.attributionWindow(startedAt: campaign.startedAt, completedAt: campaign.completedAt,
                                                             attribution: campaign.definition.attributionWindow, now: now)
        else { return report }
        for row in try await eventRows(of: campaign, window: window, on: store) {
            let group = CampaignCounts.EventGroup(type: row.type, variant: row.variant, count: row.count, value: row.value)
            report.counts.add(group)
            report.byDay[row.day, default: CampaignCounts()].add(group)
            guard !row.locale.isEmpty else { continue }
            report.byLocale[row.locale, default: CampaignCounts()].add(CampaignCounts.EventGroup(type: row.type, variant: nil, count: row.count,
                                                                                                 value: row.value))
        }
        let conversions = try await conversionRows(of: campaign, window: window, on: store)
        try await addPeople(of: campaign, conversions: conversions, on: store, to: &report.counts)
        for (day, rows) in Dictionary(grouping: conversions, by: \.day) {
            for group in liftGroups(rows) { report.byDay[day, default: CampaignCounts()].add(group) }
        }
        return report
    }

    struct DeliveryRow: Sendable {
        var locale: String
        /// The UTC day the deliveries were queued on, when read by day.
        var day: Int?
        var group: CampaignCounts.DeliveryGroup
    }

    struct EventRow: Sendable {
        var variant: Int?
        var locale: String
        var type: String
        var day: Int
        var count: Int
        var value: Double
    }

    struct ConversionRow: Sendable {
        var day: Int
        var heldOut: Bool
        var converted: Int
        var revenue: Double
    }

    static func deliveryRows(of campaign: CampaignRecord, on store: some SQLStore, byDay: Bool = false) async throws -> [DeliveryRow] {
        try await store.rows(RollupStatements.deliveryGroups(appId: campaign.appId, campaignId: campaign.id, byDay: byDay)) { row in
            let variant = try row.integer(required: 0), outcome = try row.text(required: 3), reason = try row.text(required: 4)
            return DeliveryRow(locale: try row.text(required: 1), day: byDay ? try row.integer(required: 6) : nil, group: CampaignCounts.DeliveryGroup(
                state: try row.text(required: 2), outcome: outcome.isEmpty ? nil : outcome, reason: reason.isEmpty ? nil : reason,
                variant: variant < 0 ? nil : variant, attempted: try row.integer(required: 5) != 0, count: try row.integer(required: byDay ? 7 : 6)))
        }
    }

    /// The campaign's event groups within `window`: rolled-up days inside it, and the days it cuts counted from the facts.
    static func eventRows(of campaign: CampaignRecord, window: ClosedRange<Date>, on store: some SQLStore) async throws -> [EventRow] {
        let from = window.lowerBound.timeIntervalSince1970, until = window.upperBound.timeIntervalSince1970
        let stored = try await store.rows(RollupStatements.eventGroups(appId: campaign.appId, campaignId: campaign.id)) { row in
            let variant = try row.integer(required: 0)
            return (day: try row.integer(required: 3), inside: try row.real(required: 6) >= from && row.real(required: 7) <= until,
                    row: EventRow(variant: variant < 0 ? nil : variant, locale: try row.text(required: 1), type: try row.text(required: 2),
                                  day: try row.integer(required: 3), count: try row.integer(required: 4), value: try row.real(required: 5)))
        }
        let cut = Set(stored.filter { !$0.inside }.map(\.day))
        var rows = stored.filter { !cut.contains($0.day) }.map(\.row)
        if !cut.isEmpty {
            rows += try await store.rows(RollupStatements.eventFacts(appId: campaign.appId, campaignId: campaign.id, from: window.lowerBound,
                                                                     until: window.upperBound, days: cut.sorted(), store.dialect)) { row in
                let variant = try row.integer(required: 0)
                return EventRow(variant: variant < 0 ? nil : variant, locale: try row.text(required: 1), type: try row.text(required: 2),
                                day: try row.integer(required: 5), count: try row.integer(required: 3), value: try row.real(required: 4))
            }
        }
        return rows
    }
}
