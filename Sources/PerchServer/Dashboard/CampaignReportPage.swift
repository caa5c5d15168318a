import Foundation
import PerchCore
import PerchStore

/// One campaign's report (`/campaigns/{id}`): the numbers of `GET /v1/campaigns/{id}/report` (the same
/// ``CampaignReportView``) — funnel with rates, variants, day by day, holdout lift with its interval, and what it cost in
/// permissions.
struct CampaignReportPage {
    var appName: String
    var report: CampaignReportView
    /// The status, actions, progress and explain above the report (``CampaignControls``, ``CampaignExplanation``).
    var controls = ""
    var csrf: String?

    var html: String {
        let api = "/v1/campaigns/\(report.campaignId)/report"
        let body = "<p><span class=\"pill\" data-metric=\"status\" data-value=\"\(HTML.escape(report.status))\">\(HTML.escape(report.status))</span> "
            + "started \(HTML.time(report.startedAt)), completed \(HTML.time(report.completedAt)) · "
            + "\(HTML.metric("tokens", count: report.tokens)) tokens in the audience, \(HTML.metric("queued", count: report.queued)) still queued</p>"
            + funnel + variants + days + lift + costs + reasons
        return DashboardLayout.page(title: report.name, appName: appName, section: .campaigns,
                                    body: "<p><a href=\"/campaigns\">← Campaigns</a></p>" + controls + DashboardLayout.section(api: api, heading: nil, body, id: "report"),
                                    csrf: csrf)
    }

    var funnel: String {
        let f = report.funnel
        let chart = BarChart(title: "Funnel: attempted, accepted, delivered, opened, converted", bars: [
            .init(label: "Attempted", value: Double(f.attempted), shown: HTML.count(f.attempted)),
            .init(label: "Accepted", value: Double(f.accepted), shown: "\(HTML.count(f.accepted)) · \(HTML.percent(f.acceptanceRate)) of attempted"),
            .init(label: "Delivered", value: Double(f.delivered), shown: "\(HTML.count(f.delivered)) · \(HTML.percent(f.deliveryRate)) of accepted"),
            .init(label: "Opened", value: Double(f.opened), shown: "\(HTML.count(f.opened)) · \(HTML.percent(f.openRate)) of accepted"),
            .init(label: "Converted", value: Double(f.converted), shown: "\(HTML.count(f.converted)) · \(HTML.percent(f.conversionRate)) of accepted"),
        ])
        let cards = DashboardLayout.cards([
            ("Attempted", HTML.metric("funnel/attempted", count: f.attempted), "handed to a push service"),
            ("Accepted", HTML.metric("funnel/accepted", count: f.accepted), "acceptance " + HTML.percent(f.acceptanceRate)),
            ("Delivered", HTML.metric("funnel/delivered", count: f.delivered), "client receipts"),
            ("Opened", HTML.metric("funnel/opened", count: f.opened), "opens"),
            ("Converted", HTML.metric("funnel/converted", count: f.converted), "conversions"),
            ("Revenue", HTML.metric("funnel/revenue", f.revenue, shown: HTML.decimal(f.revenue)), "sum of conversion values"),
            ("Revenue per recipient", HTML.metric("funnel/revenuePerRecipient", f.revenuePerRecipient, shown: HTML.decimal(f.revenuePerRecipient)),
             "revenue ÷ accepted"),
            ("Revenue per delivered", HTML.metric("funnel/revenuePerDelivered", f.revenuePerDelivered, shown: HTML.decimal(f.revenuePerDelivered)),
             "revenue ÷ delivered"),
        ])
        let rates = DashboardLayout.table(caption: "Rates", headers: ["Rate", "Formula", "Value"], rows: [
            ["Acceptance", "accepted ÷ attempted", HTML.metric("funnel/acceptanceRate", ratio: f.acceptanceRate)],
            ["Delivery", "delivered ÷ accepted", HTML.metric("funnel/deliveryRate", ratio: f.deliveryRate)],
            ["Open", "opened ÷ accepted", HTML.metric("funnel/openRate", ratio: f.openRate)],
            ["Conversion", "converted ÷ accepted", HTML.metric("funnel/conversionRate", ratio: f.conversionRate)],
        ], numericFrom: 2)
        return "<h2>Funnel</h2>" + cards + chart.svg + rates
    }

    var variants: String {
        guard !report.variants.isEmpty else { return "" }
        let rows = report.variants.map { variant -> [String] in
            let prefix = "variants/\(variant.index)/funnel/"
            let f = variant.funnel
            return [HTML.escape(variant.name), HTML.metric(prefix + "attempted", count: f.attempted), HTML.metric(prefix + "accepted", count: f.accepted),
                    HTML.metric(prefix + "delivered", count: f.delivered), HTML.metric(prefix + "opened", count: f.opened),
                    HTML.metric(prefix + "converted", count: f.converted), HTML.metric(prefix + "openRate", ratio: f.openRate),
                    HTML.metric(prefix + "conversionRate", ratio: f.conversionRate),
                    HTML.metric(prefix + "revenuePerRecipient", f.revenuePerRecipient, shown: HTML.decimal(f.revenuePerRecipient))]
        }
        return "<h2>Variants</h2>" + DashboardLayout.table(caption: "Each variant's own rows and events", headers: [
            "Variant", "Attempted", "Accepted", "Delivered", "Opened", "Converted", "Open rate", "Conversion rate", "Revenue per recipient",
        ], rows: rows)
    }

    var days: String {
        guard !report.byDay.isEmpty else { return "" }
        let rows = report.byDay.enumerated().map { index, day -> [String] in
            let prefix = "byDay/\(index)/", f = day.funnel
            return [HTML.escape(String(HTML.time(day.day).prefix(10))), HTML.metric(prefix + "tokens", count: day.tokens),
                    HTML.metric(prefix + "funnel/attempted", count: f.attempted), HTML.metric(prefix + "funnel/accepted", count: f.accepted),
                    HTML.metric(prefix + "funnel/delivered", count: f.delivered), HTML.metric(prefix + "funnel/opened", count: f.opened),
                    HTML.metric(prefix + "funnel/converted", count: f.converted),
                    HTML.metric(prefix + "funnel/revenue", f.revenue, shown: HTML.decimal(f.revenue)),
                    HTML.metric(prefix + "treatmentConverters", count: day.treatmentConverters),
                    HTML.metric(prefix + "holdoutConverters", count: day.holdoutConverters)]
        }
        return "<h2>Day by day</h2>" + DashboardLayout.table(
            caption: "Per UTC day: tokens queued that day and what became of them; events and first conversions on the day they happened",
            headers: ["Day", "Queued", "Attempted", "Accepted", "Delivered", "Opened", "Converted", "Revenue", "First conversions, sent to",
                      "First conversions, holdout"], rows: rows, numericFrom: 1)
    }

    var lift: String {
        let l = report.lift
        let interval = l.confidenceInterval.map { bounds in
            "\(HTML.metric("lift/confidenceInterval/0", bounds[0], shown: Self.points(bounds[0]))) to "
                + "\(HTML.metric("lift/confidenceInterval/1", bounds[1], shown: Self.points(bounds[1])))"
        } ?? "—"
        let table = DashboardLayout.table(caption: "People of the audience: sent to (intent to treat) against held out", headers: ["Group", "People", "Converted", "Rate"], rows: [
            ["Sent to", HTML.metric("lift/treatmentPeople", count: l.treatmentPeople), HTML.metric("lift/treatmentConverted", count: l.treatmentConverted),
             HTML.metric("lift/treatmentRate", ratio: l.treatmentRate, decimals: 2)],
            ["Holdout", HTML.metric("lift/holdoutPeople", count: l.holdoutPeople), HTML.metric("lift/holdoutConverted", count: l.holdoutConverted),
             HTML.metric("lift/holdoutRate", ratio: l.holdoutRate, decimals: 2)],
        ])
        let cards = DashboardLayout.cards([
            ("Absolute lift", HTML.metric("lift/absoluteLift", l.absoluteLift, shown: Self.points(l.absoluteLift)), "percentage points"),
            ("Relative lift", HTML.metric("lift/relativeLift", ratio: l.relativeLift), "lift ÷ holdout rate"),
            ("p-value", HTML.metric("lift/pValue", l.pValue, shown: HTML.decimal(l.pValue, decimals: 3)), "two-proportion z-test"),
        ])
        return "<h2>Lift against the holdout</h2>" + table + cards
            + "<p>95% confidence interval of the lift: <strong>\(interval)</strong></p>"
            + "<p class=\"reading notice\" data-metric=\"lift/reading\" data-value=\"\(HTML.escape(l.reading))\">\(HTML.escape(Self.capitalised(l.reading)))</p>"
    }

    var costs: String {
        "<h2>Permissions within 7 days</h2>" + DashboardLayout.cards([
            ("Revocations", HTML.metric("revocationsWithin7Days", count: report.revocationsWithin7Days), "consent revoked or denied after a send"),
            ("Unregistrations", HTML.metric("unregistrationsWithin7Days", count: report.unregistrationsWithin7Days), "installations unregistered"),
            ("Revocation rate", HTML.metric("revocationRate", ratio: report.revocationRate, decimals: 2), "revocations ÷ accepted"),
            ("Tokens retired", HTML.metric("retired", count: report.retired), "the push service said dead"),
        ])
    }

    var reasons: String {
        func rows(_ dictionary: [String: Int], _ path: String) -> [[String]] {
            dictionary.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { [HTML.escape($0.key), HTML.metric("\(path)/\($0.key)", count: $0.value)] }
        }
        return "<h2>Left out and failed</h2><div class=\"pair\"><div>"
            + DashboardLayout.table(caption: "Suppressed, by reason", headers: ["Reason", "Tokens"], rows: rows(report.suppressedByReason, "suppressedByReason"))
            + "</div><div>" + DashboardLayout.table(caption: "Failed, by reason", headers: ["Reason", "Tokens"], rows: rows(report.failedByReason, "failedByReason"))
            + "</div></div>"
    }

    /// A difference of rates in percentage points, signed: `+1.92 pp`.
    static func points(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%+.2f pp", value * 100)
    }

    static func capitalised(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}
