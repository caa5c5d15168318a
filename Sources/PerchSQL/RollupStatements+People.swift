import Foundation
import PerchCore

/// The rollups counted per installation and per person rather than per row.
///
/// - `campaign_withdrawals`: one row per campaign and installation sent to (accepted) that withdrew permission
///   (`revoked`: consent revoked or denied, or `permission_revoked`) or unregistered (`unregistered`) within
///   ``CampaignCounts/revocationWindow`` after acceptance. Kept by recomputing an installation's rows whenever one of
///   its facts changes (few rows each), and by adding a delivery's rows when it is accepted.
/// - `campaign_people`: one row per campaign and person of its audience (users, or installations when anonymous)
///   with the number of its delivery rows and of those held out; `campaign_people_rollups` counts them per side of
///   the holdout, so lift's populations are read in O(1).
extension RollupStatements {
    static let withdrawalWindow = String(Int(CampaignCounts.revocationWindow))

    /// Whether accepted delivery `d` was followed within the window by a withdrawal of permission.
    public static func revokedAfter(_ d: String) -> String {
        """
        (EXISTS (SELECT 1 FROM consent_history h WHERE h.app_id = \(d).app_id AND h.installation_id = \(d).installation_id
                 AND h.status IN ('revoked', 'denied') AND h.at > \(d).accepted_at AND h.at <= \(d).accepted_at + \(withdrawalWindow))
         OR EXISTS (SELECT 1 FROM events w WHERE w.app_id = \(d).app_id AND w.installation_id = \(d).installation_id
                    AND w.type = 'permission_revoked' AND w.occurred_at > \(d).accepted_at AND w.occurred_at <= \(d).accepted_at + \(withdrawalWindow)))
        """
    }

    /// Whether accepted delivery `d` was followed within the window by an unregistration.
    public static func unregisteredAfter(_ d: String) -> String {
        """
        EXISTS (SELECT 1 FROM registry_log l WHERE l.app_id = \(d).app_id AND l.installation_id = \(d).installation_id
                AND l.kind = 'unregistered' AND l.at > \(d).accepted_at AND l.at <= \(d).accepted_at + \(withdrawalWindow))
        """
    }

    /// The withdrawal rows the accepted deliveries of `from` (a `FROM` clause naming them `d`) matching `filter` make.
    public static func recomputedWithdrawals(from: String = "deliveries d", filter: String = "TRUE") -> String {
        """
        SELECT DISTINCT d.app_id, d.campaign_id, d.installation_id, 'revoked' FROM \(from)
        WHERE d.state = 'accepted' AND \(filter) AND \(revokedAfter("d"))
        UNION
        SELECT DISTINCT d.app_id, d.campaign_id, d.installation_id, 'unregistered' FROM \(from)
        WHERE d.state = 'accepted' AND \(filter) AND \(unregisteredAfter("d"))
        """
    }

    /// Whether any accepted delivery of `from` (a `FROM` clause naming them `d`) can have a withdrawal: per app, a
    /// revocation, denial or unregistration after its first acceptance and within the window after its last. A
    /// necessary condition of ``recomputedWithdrawals(from:filter:)`` finding a row, answered by one probe per app and
    /// source (`consent_history_withdrawals`, `events_by_type`, `registry_log_unregistrations`) instead of three per delivery.
    public static func anyWithdrawalFacts(from: String) -> String {
        let window = withdrawalWindow
        return """
            SELECT 1 FROM (SELECT d.app_id, MIN(d.accepted_at) AS first, MAX(d.accepted_at) AS last FROM \(from)
                           WHERE d.state = 'accepted' GROUP BY d.app_id) AS a
            WHERE EXISTS (SELECT 1 FROM consent_history h WHERE h.app_id = a.app_id AND h.status IN ('revoked', 'denied')
                          AND h.at > a.first AND h.at <= a.last + \(window))
               OR EXISTS (SELECT 1 FROM events w WHERE w.app_id = a.app_id AND w.type = 'permission_revoked'
                          AND w.occurred_at > a.first AND w.occurred_at <= a.last + \(window))
               OR EXISTS (SELECT 1 FROM registry_log l WHERE l.app_id = a.app_id AND l.kind = 'unregistered'
                          AND l.at > a.first AND l.at <= a.last + \(window))
            """
    }

    /// Adds the withdrawal rows of one accepted delivery row (`NEW` in a row trigger).
    public static func addWithdrawals(of row: String) -> [String] {
        [("revoked", revokedAfter(row)), ("unregistered", unregisteredAfter(row))].map { kind, condition in
            """
            INSERT INTO campaign_withdrawals (app_id, campaign_id, installation_id, kind)
            SELECT \(row).app_id, \(row).campaign_id, \(row).installation_id, '\(kind)' WHERE \(row).state = 'accepted' AND \(condition)
            ON CONFLICT DO NOTHING
            """
        }
    }

    /// Recomputes one installation's withdrawal rows (`app` and `installation` are SQL expressions).
    public static func refreshWithdrawals(app: String, installation: String) -> [String] {
        [
            "DELETE FROM campaign_withdrawals WHERE app_id = \(app) AND installation_id = \(installation)",
            """
            INSERT INTO campaign_withdrawals (app_id, campaign_id, installation_id, kind)
            \(recomputedWithdrawals(filter: "d.app_id = \(app) AND d.installation_id = \(installation)"))
            """,
        ]
    }

    // MARK: People

    /// 1 when delivery row `d` is held out, else 0.
    public static func heldOut(_ d: String) -> String { "CASE WHEN COALESCE(\(d).reason, '') = 'holdout' THEN 1 ELSE 0 END" }

    /// Every `campaign_people` row, recomputed from `deliveries`: app, campaign, person, rows, held-out rows.
    public static let recomputedPeople = """
        SELECT app_id, campaign_id, \(SQLExpressions.person()) AS person, COUNT(*) AS n, SUM(\(heldOut("deliveries"))) AS held_n FROM deliveries
        GROUP BY app_id, campaign_id, \(SQLExpressions.person())
        """

    /// Every `campaign_people_rollups` row, recomputed from `campaign_people`: app, campaign, held out (0/1), people.
    public static let recomputedPeopleCounts = """
        SELECT app_id, campaign_id, CASE WHEN held_n > 0 THEN 1 ELSE 0 END, COUNT(*) FROM campaign_people WHERE n > 0
        GROUP BY app_id, campaign_id, CASE WHEN held_n > 0 THEN 1 ELSE 0 END
        """

    /// Every `campaign_people_rollups` row, recomputed from `deliveries` directly (for verification).
    public static let recomputedPeopleCountsFromFacts = """
        SELECT app_id, campaign_id, held_out, COUNT(*) FROM (
            SELECT app_id, campaign_id, MAX(\(heldOut("deliveries"))) AS held_out FROM deliveries
            GROUP BY app_id, campaign_id, \(SQLExpressions.person())
        ) AS p GROUP BY app_id, campaign_id, held_out
        """

    /// Adds `sign` (±1) times one delivery row (`NEW`/`OLD`) to its person in its campaign.
    public static func countPerson(_ row: String, sign: Int) -> String {
        let person = SQLExpressions.person(user: "\(row).user_id", installation: "\(row).installation_id")
        return """
            INSERT INTO campaign_people (app_id, campaign_id, person, n, held_n)
            VALUES (\(row).app_id, \(row).campaign_id, \(person), \(sign), \(sign) * \(heldOut(row)))
            ON CONFLICT (app_id, campaign_id, person) DO UPDATE SET n = campaign_people.n + excluded.n,
                held_n = campaign_people.held_n + excluded.held_n
            """
    }

    /// Adds `sign` (±1) people to the side of the holdout `row` of `campaign_people` (`NEW`/`OLD`) is on, when it counts.
    public static func countPeople(_ row: String, sign: Int) -> String {
        """
        INSERT INTO campaign_people_rollups (app_id, campaign_id, held_out, people)
        SELECT \(row).app_id, \(row).campaign_id, CASE WHEN \(row).held_n > 0 THEN 1 ELSE 0 END, \(sign) WHERE \(row).n > 0
        ON CONFLICT (app_id, campaign_id, held_out) DO UPDATE SET people = campaign_people_rollups.people + excluded.people
        """
    }

    /// Whether changing `campaign_people` row `old` to `new` (`OLD`, `NEW`) moves what ``countPeople(_:sign:)`` counts:
    /// the row's campaign, whether it counts (`n > 0`), its side of the holdout. A row-level trigger skips the other
    /// updates — a conversion setting `converted_at`, a person's second delivery row — whose two upserts cancel out.
    public static func peopleCountMoved(_ old: String, _ new: String) -> String {
        """
        \(old).app_id IS NOT \(new).app_id OR \(old).campaign_id IS NOT \(new).campaign_id \
        OR (\(old).n > 0) IS NOT (\(new).n > 0) OR (\(old).held_n > 0) IS NOT (\(new).held_n > 0)
        """
    }

    // MARK: Reads

    /// One campaign's withdrawals: kind, installations.
    public static func withdrawals(appId: String, campaignId: String) -> SQLStatement {
        SQLStatement("SELECT kind, COUNT(*) FROM campaign_withdrawals WHERE app_id = ? AND campaign_id = ? GROUP BY kind",
                     [.text(appId), .text(campaignId)])
    }

    /// One campaign's people per side of the holdout: held out (0/1), people.
    public static func people(appId: String, campaignId: String) -> SQLStatement {
        SQLStatement("SELECT held_out, people FROM campaign_people_rollups WHERE app_id = ? AND campaign_id = ? AND people <> 0",
                     [.text(appId), .text(campaignId)])
    }
}
