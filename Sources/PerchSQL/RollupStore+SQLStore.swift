import Foundation
import PerchCore
import PerchStore

/// `perch analytics verify [--repair]`, written once for every ``SQLStore``.
extension RollupStore where Self: SQLStore {
    public func verifyRollups(repair: Bool) async throws -> RollupVerification {
        let deliveries = try await deliveryDifferences()
        let events = try await eventDifferences()
        let withdrawals = try await countDifferences("campaign_withdrawals", columns: 4, integers: [],
                                                     recomputed: RollupStatements.recomputedWithdrawals(),
                                                     stored: "SELECT app_id, campaign_id, installation_id, kind FROM campaign_withdrawals", counted: false)
        let people = try await countDifferences("campaign_people_rollups", columns: 3, integers: [2],
                                                recomputed: RollupStatements.recomputedPeopleCountsFromFacts,
                                                stored: "SELECT app_id, campaign_id, held_out, people FROM campaign_people_rollups WHERE people <> 0",
                                                counted: true)
        let persons = try await countDifferences("campaign_people", columns: 3, integers: [],
                                                 recomputed: "SELECT app_id, campaign_id, person, n * 1000000 + held_n FROM (\(RollupStatements.recomputedPeople)) AS p",
                                                 stored: "SELECT app_id, campaign_id, person, n * 1000000 + held_n FROM campaign_people WHERE n <> 0 OR held_n <> 0",
                                                 counted: true)
        let tokens = try await countDifferences("token_health_rollups", columns: 6, integers: [], recomputed: RollupStatements.recomputedTokens,
                                                stored: "SELECT \(RollupStatements.tokenColumns), n FROM token_health_rollups WHERE n <> 0",
                                                counted: true)
        let parts: [(checked: Int, differences: [RollupDifference])] = [deliveries, events, withdrawals, people, persons, tokens]
            + (try await healthDifferences()) + [try await conversionDifferences()]
        let checked = parts.map(\.checked).reduce(0, +)
        let differences = parts.flatMap(\.differences)
        guard repair, !differences.isEmpty else {
            return RollupVerification(groupsChecked: checked, differences: differences, repaired: false)
        }
        // Writers wait while the rollups are rebuilt, so none of their increments is lost or counted twice.
        let lock = dialect == .postgres ? [SQLStatement("LOCK TABLE deliveries, events, tokens, installations IN SHARE MODE")] : []
        // Emptied and refilled with the triggers of the people table in place: they count its people again as it refills.
        try await execute(lock + RollupStatements.rebuild(dialect).map { SQLStatement($0) })
        return RollupVerification(groupsChecked: checked, differences: differences, repaired: true)
    }

    private func deliveryDifferences() async throws -> (checked: Int, differences: [RollupDifference]) {
        let decode: @Sendable (any SQLRow) throws -> (String, Int) = { row in
            let key = [try row.text(required: 0), try row.text(required: 1), String(try row.integer(required: 2)), try row.text(required: 3),
                       try row.text(required: 4), try row.text(required: 5), try row.text(required: 6), String(try row.integer(required: 7)),
                       String(try row.integer(required: 8))]
            return (key.joined(separator: "/"), try row.integer(required: 9))
        }
        let recomputed = Dictionary(try await rows(SQLStatement(RollupStatements.recomputedDeliveries(dialect)), decode), uniquingKeysWith: +)
        let stored = Dictionary(try await rows(SQLStatement(RollupStatements.storedDeliveries), decode), uniquingKeysWith: +)
        let differences = Set(recomputed.keys).union(stored.keys).sorted().compactMap { key -> RollupDifference? in
            let has = stored[key] ?? 0, should = recomputed[key] ?? 0
            guard has != should else { return nil }
            return RollupDifference(rollup: "campaign_delivery_rollups", key: key, stored: "n=\(has)", recomputed: "n=\(should)")
        }
        return (recomputed.count, differences)
    }

    /// Compares rows keyed by their first `columns` columns (integers at the `integers` positions) and, when
    /// `counted`, a count in the next column (or `values` counts); otherwise the mere presence of each key.
    private func countDifferences(_ rollup: String, columns: Int, integers: Set<Int>, values: Int = 1, recomputed: String, stored: String,
                                  counted: Bool) async throws -> (checked: Int, differences: [RollupDifference]) {
        let width = counted ? values : 0
        let decode: @Sendable (any SQLRow) throws -> (String, [Int]) = { row in
            let key = try (0..<columns).map { integers.contains($0) ? String(try row.integer(required: $0)) : try row.text(required: $0) }
            return (key.joined(separator: "/"), counted ? try (columns..<columns + width).map { try row.integer(required: $0) } : [1])
        }
        let add: ([Int], [Int]) -> [Int] = { a, b in zip(a, b).map(+) }
        let should = Dictionary(try await rows(SQLStatement(recomputed), decode), uniquingKeysWith: add)
        let has = Dictionary(try await rows(SQLStatement(stored), decode), uniquingKeysWith: add)
        let zero = Array(repeating: 0, count: max(1, width))
        func text(_ numbers: [Int]) -> String {
            guard counted else { return numbers == zero ? "absent" : "present" }
            return values == 1 ? "n=\(numbers[0])" : numbers.map(String.init).joined(separator: ",")
        }
        let differences = Set(should.keys).union(has.keys).sorted().compactMap { key -> RollupDifference? in
            let a = has[key] ?? zero, b = should[key] ?? zero
            guard a != b else { return nil }
            return RollupDifference(rollup: rollup, key: key, stored: text(a), recomputed: text(b))
        }
        return (should.count, differences)
    }

    /// The health rollups (``RollupStatements``, "health"), each against its recomputation.
    private func healthDifferences() async throws -> [(checked: Int, differences: [RollupDifference])] {
        typealias R = RollupStatements
        let tokenRollups = [(R.userGroups, Set<Int>()), (R.tokenDays(dialect), Set([3])), (R.tokenSurvival(dialect), Set([3, 4]))]
        var parts: [(checked: Int, differences: [RollupDifference])] = []
        for (rollup, integers) in tokenRollups {
            parts.append(try await countDifferences(rollup.table, columns: rollup.keyColumns.count, integers: integers,
                                                    values: rollup.valueColumns.count, recomputed: rollup.recomputed, stored: rollup.stored,
                                                    counted: true))
        }
        let day = R.day("first_at", dialect)
        parts.append(try await countDifferences(
            "user_health_rollups", columns: 5, integers: [1], values: 3, recomputed: R.recomputedUserHealth,
            stored: "SELECT app_id, mask, platform, app_version, kind, users, tokens, duplicated FROM user_health_rollups WHERE users <> 0 OR tokens <> 0 OR duplicated <> 0",
            counted: true))
        parts.append(try await countDifferences(
            "installation_opt_in", columns: 4, integers: [], values: 2, recomputed: R.optInRows(matching: { _ in "1 = 1" }),
            stored: "SELECT app_id, installation_id, platform, app_version, prompted, granted FROM installation_opt_in", counted: true))
        parts.append(try await countDifferences("opt_in_rollups", columns: 3, integers: [], values: 2, recomputed: R.recomputedOptIn,
                                                stored: R.storedOptIn, counted: true))
        parts.append(try await countDifferences(
            "installation_prompts", columns: 6, integers: [5], recomputed: """
                SELECT app_id, installation_id, strategy, platform, app_version, \(day), granted
                FROM (\(R.promptRows(matching: { _ in "1 = 1" }, dialect))) AS p
                """,
            stored: "SELECT app_id, installation_id, strategy, platform, app_version, \(day), granted FROM installation_prompts", counted: true))
        parts.append(try await countDifferences("opt_in_daily_rollups", columns: 5, integers: [4], values: 2,
                                                recomputed: R.recomputedPrompts(dialect), stored: R.storedPrompts, counted: true))
        return parts
    }

    /// Lift's conversions: each campaign person's first conversion, and the rollup of converters and revenue.
    private func conversionDifferences() async throws -> (checked: Int, differences: [RollupDifference]) {
        typealias R = RollupStatements
        let milliseconds = { (column: String) in "CAST(COALESCE(\(column), -1) * 1000 AS BIGINT)" }
        let first = try await countDifferences(
            "campaign_people.converted_at", columns: 3, integers: [],
            recomputed: "SELECT app_id, campaign_id, person, \(milliseconds(R.firstConversion("p"))) FROM campaign_people p",
            stored: "SELECT app_id, campaign_id, person, \(milliseconds("converted_at")) FROM campaign_people", counted: true)
        let decode: @Sendable (any SQLRow) throws -> (String, (Int, Double)) = { row in
            ([try row.text(required: 0), try row.text(required: 1), String(try row.integer(required: 2)), String(try row.integer(required: 3))]
                .joined(separator: "/"), (try row.integer(required: 4), try row.real(required: 5)))
        }
        let add: ((Int, Double), (Int, Double)) -> (Int, Double) = { ($0.0 + $1.0, $0.1 + $1.1) }
        let should = Dictionary(try await rows(SQLStatement(R.recomputedConversions(dialect)), decode), uniquingKeysWith: add)
        let has = Dictionary(try await rows(SQLStatement(R.storedConversions), decode), uniquingKeysWith: add)
        let differences = Set(should.keys).union(has.keys).sorted().compactMap { key -> RollupDifference? in
            let a = has[key] ?? (0, 0), b = should[key] ?? (0, 0)
            // Sums of values may round differently in another order.
            guard a.0 != b.0 || abs(a.1 - b.1) > 1e-9 * max(1, abs(b.1)) else { return nil }
            return RollupDifference(rollup: "campaign_conversion_rollups", key: key, stored: "converters=\(a.0) revenue=\(a.1)",
                                    recomputed: "converters=\(b.0) revenue=\(b.1)")
        }
        return (first.checked + should.count, first.differences + differences)
    }

    private func eventDifferences() async throws -> (checked: Int, differences: [RollupDifference]) {
        typealias Totals = (n: Int, value: Double, first: Double, last: Double)
        let decode: @Sendable (any SQLRow) throws -> (String, Totals) = { row in
            let key = [try row.text(required: 0), try row.text(required: 1), String(try row.integer(required: 2)), try row.text(required: 3),
                       try row.text(required: 4), String(try row.integer(required: 5))]
            return (key.joined(separator: "/"), (n: try row.integer(required: 6), value: try row.real(required: 7),
                                                       first: try row.real(required: 8), last: try row.real(required: 9)))
        }
        let recomputed = Dictionary(try await rows(SQLStatement(RollupStatements.recomputedEvents(dialect)), decode)) { a, _ in a }
        let stored = Dictionary(try await rows(SQLStatement(RollupStatements.storedEvents), decode)) { a, _ in a }
        func text(_ totals: Totals?) -> String {
            guard let totals else { return "absent" }
            return "n=\(totals.n) value=\(totals.value) times=\(totals.first)...\(totals.last)"
        }
        let differences = Set(recomputed.keys).union(stored.keys).sorted().compactMap { key -> RollupDifference? in
            let has = stored[key], should = recomputed[key]
            let same: Bool
            switch (has, should) {
            case (nil, nil): same = true
            case let (has?, nil): same = has.n == 0 && abs(has.value) < 1e-9
            case (nil, _?): same = false
            case let (has?, should?):
                // Sums of values may round differently in another order; the time bounds need only hold every event.
                same = has.n == should.n && abs(has.value - should.value) <= 1e-9 * max(1, abs(should.value))
                    && has.first <= should.first && has.last >= should.last
            }
            return same ? nil : RollupDifference(rollup: "campaign_event_rollups", key: key, stored: text(has), recomputed: text(should))
        }
        return (recomputed.count, differences)
    }
}
