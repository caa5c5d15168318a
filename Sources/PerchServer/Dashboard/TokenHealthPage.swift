import Foundation
import PerchCore
import PerchStore

/// Token health (`/`): the numbers of `GET /v1/metrics/tokens`, live tokens per day, survival by platform and opt-in
/// by prompt strategy, for the filter in the query.
struct TokenHealthPage {
    /// The page's filter: `platform`, `appVersion` (as the API takes them) and `days`, the period shown over time.
    struct Filter {
        static let periods = [7, 30, 90, 365]
        var platform: Platform?
        var appVersion: String?
        var days = 30

        var health: TokenHealth.Filter { TokenHealth.Filter(platform: platform, appVersion: appVersion) }
        /// Whole weeks covering the period, for survival cohorts.
        var weeks: Int { max(1, (days + 6) / 7) }
        var common: [(String, String?)] { [("platform", platform?.rawValue), ("appVersion", appVersion)] }
    }

    var appName: String
    var filter: Filter
    var health: TokenHealth
    var growth: [DailyTokenCount]
    var checkpoints: [Int]
    var survival: [SurvivalCohort]
    /// The start of the opt-in period (midnight UTC `days` days ago), as sent to the API.
    var optInSince: Date
    var optIn: [OptInBreakdown]
    /// The app's identity verification setting (`GET /v1/apps/{appId}`), shown so an app with it `off` is never a surprise.
    var identityVerification: IdentityVerification = .required
    /// The session's CSRF token, for the sign-out form.
    var csrf: String

    var html: String {
        DashboardLayout.page(title: "Token health", appName: appName, section: .tokens,
                             body: identityNotice + filterForm + headline + statuses + growthSection + survivalSection + optInSection, csrf: csrf)
    }

    /// With `off`, anyone holding the publishable key (every copy of the app) can bind a device to any user id: said loudly.
    var identityNotice: String {
        // Same value as `identityVerification` of GET /v1/apps/{appId}.
        let state = "<strong data-identity-verification>\(identityVerification.rawValue)</strong>"
        switch identityVerification {
        case .required:
            return "<p class=\"identity\">Identity verification: \(state) — apps bind users "
                + "with a <code>userAuth</code> token from your backend.</p>"
        case .off:
            return "<p class=\"error identity\" role=\"alert\">Identity verification: \(state) — anyone "
                + "holding the publishable key can bind a device to any user id and receive that user's pushes. Turn it on with "
                + "<code>PATCH /v1/apps/{appId}</code> <code>{\"identityVerification\": \"required\"}</code>.</p>"
        }
    }

    static func sinceText(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    var filterForm: String {
        var out = "<form class=\"filters\" method=\"get\" action=\"/\"><label>Platform<select name=\"platform\"><option value=\"\">All platforms</option>"
        for platform in Platform.allCases {
            out += "<option value=\"\(platform.rawValue)\"\(platform == filter.platform ? " selected" : "")>\(HTML.escape(Self.name(of: platform)))</option>"
        }
        out += "</select></label><label>App version<input name=\"appVersion\" value=\"\(HTML.escape(filter.appVersion ?? ""))\" "
            + "placeholder=\"any\"></label><label>Period<select name=\"days\">"
        for days in Filter.periods {
            out += "<option value=\"\(days)\"\(days == filter.days ? " selected" : "")>Last \(days) days</option>"
        }
        return out + "</select></label><button type=\"submit\">Apply</button></form>"
    }

    static func name(of platform: Platform) -> String {
        switch platform {
        case .apns: "APNs (iOS)"
        case .fcm: "FCM (Android)"
        case .webpush: "Web Push"
        }
    }

    var headline: String {
        let h = health
        let cards = DashboardLayout.cards([
            ("Active tokens", HTML.metric("active", count: h.active), "of \(HTML.count(h.total)) known"),
            ("Validity rate", HTML.metric("validityRate", ratio: h.validityRate), "active ÷ all known tokens"),
            ("Stale share", HTML.metric("staleShare", ratio: h.staleShare), "stale ÷ live (active + stale)"),
            ("Opt-in rate", HTML.metric("optIn/rate", ratio: h.optIn.rate), "\(HTML.count(h.optIn.granted)) granted of \(HTML.count(h.optIn.prompted)) prompted"),
            ("Tokens per user", HTML.metric("tokensPerUser", h.tokensPerUser, shown: HTML.decimal(h.tokensPerUser)),
             "live tokens ÷ users with one"),
            ("Duplicate-token rate", HTML.metric("duplicateTokenRate", ratio: h.duplicateTokenRate),
             "users with 2+ live tokens on a platform"),
            ("Users reachable", HTML.metric("usersWithLiveTokens", count: h.usersWithLiveTokens), "known users with a live token"),
            ("All tokens", HTML.metric("total", count: h.total), "every status"),
        ])
        return DashboardLayout.section(api: "/v1/metrics/tokens" + HTML.query(filter.common), heading: "Now", cards, id: "health")
    }

    var statuses: String {
        let h = health
        let platforms = Platform.allCases.filter { filter.platform == nil || $0 == filter.platform }
        let rows = TokenStatusName.allCases.map { status -> [String] in
            [HTML.escape(status.rawValue), h.byStatus[status.rawValue].map { HTML.metric("byStatus/\(status.rawValue)", count: $0) } ?? "0"]
                + platforms.map { platform in
                    h.byPlatform[platform.rawValue]?[status.rawValue].map { HTML.metric("byPlatform/\(platform.rawValue)/\(status.rawValue)", count: $0) } ?? "0"
                }
        }
        let statusTable = DashboardLayout.table(caption: "Tokens by status and platform", headers: ["Status", "All"] + platforms.map(Self.name(of:)),
                                                rows: rows)
        let reasons = h.retirementsByReason.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let chart = BarChart(title: "Retired tokens by reason", bars: reasons.map { .init(label: $0.key, value: Double($0.value), shown: HTML.count($0.value)) })
        let reasonTable = DashboardLayout.table(caption: "Retirements by reason (status:reason)", headers: ["Reason", "Tokens"],
                                                rows: reasons.map { [HTML.escape($0.key), HTML.metric("retirementsByReason/\($0.key)", count: $0.value)] })
        return DashboardLayout.section(api: "/v1/metrics/tokens" + HTML.query(filter.common), heading: "Statuses and retirements",
                                       statusTable + (reasons.isEmpty ? "" : chart.svg) + reasonTable, id: "statuses")
    }

    var growthSection: String {
        let chart = LineChart(
            title: "Live tokens at the end of each day, last \(filter.days) days", xAxisTitle: "Day (UTC)", yAxisTitle: "Live tokens",
            series: [.init(name: "Live tokens", points: growth.enumerated().map { (x: Double($0.offset), y: Double($0.element.live) as Double?) })],
            xTicks: Self.dayTicks(growth.map(\.day)), yRange: nil)
        let rows = growth.enumerated().reversed().map { index, day in
            [HTML.day(day.day), HTML.metric("days/\(index)/registered", count: day.registered), HTML.metric("days/\(index)/retired", count: day.retired),
             HTML.metric("days/\(index)/live", count: day.live), HTML.metric("days/\(index)/growth", count: day.growth)]
        }
        let summary = growth.last.map { last in
            "<p>Live now: <strong>\(HTML.metric("days/\(growth.count - 1)/live", count: last.live))</strong>; over the period "
                + "\(HTML.count(growth.map(\.registered).reduce(0, +))) registered and \(HTML.count(growth.map(\.retired).reduce(0, +))) retired.</p>"
        } ?? ""
        let table = "<details><summary>Day by day</summary>" + DashboardLayout.table(caption: "Live tokens per day (newest first)",
            headers: ["Day", "Registered", "Retired", "Live at end", "Growth"], rows: rows) + "</details>"
        return DashboardLayout.section(api: "/v1/metrics/tokens/growth" + HTML.query([("days", String(filter.days))] + filter.common),
                                       heading: "Growth", summary + chart.svg + table, id: "growth")
    }

    /// Up to eight evenly spaced day labels (`11-29`).
    static func dayTicks(_ days: [Date]) -> [(x: Double, label: String)] {
        guard !days.isEmpty else { return [] }
        let every = max(1, Int((Double(days.count) / 8).rounded(.up)))
        return days.enumerated().compactMap { index, day in
            (days.count - 1 - index) % every == 0 ? (x: Double(index), label: String(HTML.day(day).dropFirst(5))) : nil
        }
    }

    /// Per platform, the pooled share alive at each checkpoint over every cohort measured there.
    var survivalByPlatform: [(platform: String, shares: [Double?])] {
        Dictionary(grouping: survival, by: \.platform).sorted { $0.key < $1.key }.map { platform, cohorts in
            (platform: platform, shares: checkpoints.map { days -> Double? in
                let points = cohorts.flatMap(\.points).filter { $0.days == days }
                let measured = points.map(\.measured).reduce(0, +)
                return measured == 0 ? nil : Double(points.map(\.alive).reduce(0, +)) / Double(measured)
            })
        }
    }

    var survivalSection: String {
        let curves = survivalByPlatform
        let chart = LineChart(
            title: "Token survival by platform: share of tokens still live N days after registering", xAxisTitle: "Days after registering",
            yAxisTitle: "Still live", series: curves.map { curve in
                .init(name: Platform(rawValue: curve.platform).map(Self.name(of:)) ?? curve.platform,
                      points: zip(checkpoints, curve.shares).map { (x: Double($0), y: $1) })
            },
            xTicks: checkpoints.map { (x: Double($0), label: "\($0)") }, yRange: 0...1, yFormat: { HTML.percent($0, decimals: 0) })
        let pooled = DashboardLayout.table(caption: "Pooled over the cohorts below", headers: ["Platform"] + checkpoints.map { "Day \($0)" },
                                           rows: curves.map { curve in [HTML.escape(curve.platform)] + curve.shares.map { HTML.percent($0) } })
        let rows = survival.enumerated().map { index, cohort in
            [HTML.day(cohort.weekStart) + " · " + HTML.escape(cohort.platform), HTML.metric("cohorts/\(index)/registered", count: cohort.registered)]
                + cohort.points.enumerated().map { point, value in
                    value.share == nil ? "—" : HTML.metric("cohorts/\(index)/points/\(point)/share", ratio: value.share)
                }
        }
        let table = "<details><summary>Cohorts (registration week, platform)</summary>"
            + DashboardLayout.table(caption: "Share still live N days after registering; — where the cohort is not that old yet",
                                    headers: ["Week · platform", "Registered"] + checkpoints.map { "Day \($0)" }, rows: rows) + "</details>"
        return DashboardLayout.section(api: "/v1/metrics/tokens/survival" + HTML.query([("weeks", String(filter.weeks))] + filter.common),
                                       heading: "Survival", (survival.isEmpty ? "<p class=\"muted\">No tokens registered in the period.</p>" : chart.svg + pooled)
                                           + table, id: "survival")
    }

    var optInSection: String {
        let prompted = optIn.map(\.prompted).reduce(0, +), granted = optIn.map(\.granted).reduce(0, +)
        let summary = "<p>Prompts since \(HTML.escape(HTML.day(optInSince))): \(HTML.metric("granted", count: granted)) granted of "
            + "\(HTML.metric("prompted", count: prompted)) prompted — \(HTML.metric("rate", ratio: TokenHealth.ratio(granted, prompted))).</p>"
        let rows = optIn.enumerated().map { index, row in
            [HTML.escape(row.platform), HTML.escape(row.appVersion ?? "—"), HTML.escape(row.strategy),
             HTML.metric("breakdown/\(index)/prompted", count: row.prompted), HTML.metric("breakdown/\(index)/granted", count: row.granted),
             HTML.metric("breakdown/\(index)/rate", ratio: row.rate)]
        }
        let table = DashboardLayout.table(caption: "By platform, app version and prompt strategy",
                                          headers: ["Platform", "App version", "Strategy", "Prompted", "Granted", "Rate"], rows: rows, numericFrom: 3)
        return DashboardLayout.section(api: "/v1/metrics/opt-in" + HTML.query([("since", Self.sinceText(optInSince))] + filter.common),
                                       heading: "Opt-in", summary + table, id: "opt-in")
    }
}
