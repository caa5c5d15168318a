import Foundation
import PerchCore
import PerchStore

/// Token health over time, read from the health rollups (``RollupStatements``, "health") the same way on either
/// backend: each read is a handful of index range reads that do not grow with the tokens.
extension AnalyticsStore where Self: SQLStore {
    public func tokenGrowth(appId: String, filter: TokenHealth.Filter, days: Int, now: Date) async throws -> [DailyTokenCount] {
        let start = DailyTokenCount.seriesStart(days: days, now: now)
        let startDay = Int((start.timeIntervalSince1970 / RollupStatements.secondsPerDay).rounded(.down))
        var liveAtStart = 0
        var registered: [Int: Int] = [:], retired: [Int: Int] = [:]
        for (day, arrived, left) in try await rows(RollupStatements.tokenDays(appId: appId, filter: filter), { row in
            (try row.integer(required: 0), try row.integer(required: 1), try row.integer(required: 2))
        }) {
            if day < startDay {
                liveAtStart += arrived - left
            } else {
                registered[day - startDay, default: 0] += arrived
                retired[day - startDay, default: 0] += left
            }
        }
        return DailyTokenCount.series(start: start, days: days, liveAtStart: liveAtStart, registered: registered, retired: retired)
    }

    public func tokenSurvival(appId: String, filter: TokenHealth.Filter, weeks: Int, checkpoints: [Int], now: Date) async throws -> [SurvivalCohort] {
        let dayLength = RollupStatements.secondsPerDay
        let window = SurvivalWindow(weeks: weeks, checkpoints: checkpoints, now: now)
        var cohorts = SurvivalWindow.Tally()
        for (day, platform, lifetime, n) in try await rows(RollupStatements.survivalGroups(appId: appId, filter: filter, fromDay: window.startDay), { row in
            (try row.integer(required: 0), try row.text(required: 1), try row.integer(required: 2), try row.integer(required: 3))
        }) {
            window.count(day: day, platform: platform, lifetime: lifetime, n: n, into: &cohorts)
        }
        // A checkpoint's cut through a registration day: that day's tokens registered early enough, from the facts.
        for (index, cut) in window.cuts.enumerated() where cut.day >= window.startDay {
            let age = Double(checkpoints[index]) * dayLength
            for (platform, measured, alive) in try await rows(RollupStatements.survivalCut(
                appId: appId, filter: filter, from: Double(cut.day) * dayLength, through: cut.time, age: age), { row in
                (try row.text(required: 0), try row.integer(required: 1), try row.integer(required: 2))
            }) {
                window.countCut(checkpoint: index, day: cut.day, platform: platform, measured: measured, alive: alive, into: &cohorts)
            }
        }
        return window.cohorts(cohorts)
    }

    public func optInBreakdown(appId: String, filter: TokenHealth.Filter, since: Date?, until: Date?) async throws -> [OptInBreakdown] {
        let period = OptInPeriod(since: since, until: until)
        var groups: [OptInPeriod.Group: (prompted: Int, granted: Int)] = [:]
        let decode: @Sendable (any SQLRow) throws -> (OptInPeriod.Group, Int, Int) = { row in
            (OptInPeriod.Group(platform: try row.text(required: 0), appVersion: try row.text(required: 1), strategy: try row.text(required: 2)),
             try row.integer(required: 3), try row.integer(required: 4))
        }
        var statements: [SQLStatement] = []
        if let days = period.wholeDays { statements.append(RollupStatements.promptDays(appId: appId, filter: filter, days: days)) }
        for part in period.partialDays { statements.append(RollupStatements.prompts(appId: appId, filter: filter, from: part.from, through: part.through)) }
        for statement in statements {
            for (group, prompted, granted) in try await rows(statement, decode) {
                groups[group, default: (0, 0)].prompted += prompted
                groups[group, default: (0, 0)].granted += granted
            }
        }
        return groups.filter { $0.value.prompted > 0 }.sorted { $0.key < $1.key }.map { group, counts in
            OptInBreakdown(platform: group.platform, appVersion: group.appVersion.isEmpty ? nil : group.appVersion, strategy: group.strategy,
                           prompted: counts.prompted, granted: counts.granted, rate: TokenHealth.ratio(counts.granted, counts.prompted))
        }
    }
}
