import Foundation
import PerchCore
import PerchStore

/// A batch of delivery outcomes as the statements of its one transaction, written once for both backends. A backend
/// runs, inside one write transaction: ``factReads`` (the tokens the batch retires, locked in id order on PostgreSQL so
/// two batches never wait on each other in a cycle), ``retire(_:)``'s statements for what it read, the ``records``,
/// the ``pauses``, and completes the batch's campaigns; it answers ``recorded``.
public struct DeliveryBatchPlan: Sendable {
    private let batch: DeliveryBatch
    private let now: Date
    /// SQLite records plain acceptances apart (``DeliveryRecordSet/accepted``); PostgreSQL's `jsonb` is parsed once.
    private let acceptedApart: Bool
    /// The updates as recorded: a delivery whose token kept its status has the outcome `kept`.
    public private(set) var recorded: [DeliveryUpdate]
    /// The updates as the record statements read them, encoded before the transaction (again only when a
    /// retirement is refused).
    public private(set) var records: DeliveryRecordSet
    /// Reads the tokens the batch retires: one statement per app, in app order.
    public let factReads: [SQLStatement]
    /// Pauses the gateways whose credentials were refused (a pause already in place stands, with its reason and time).
    public let pauses: [SQLStatement]

    public init(_ batch: DeliveryBatch, now: Date, dialect: SQLDialect) throws {
        self.batch = batch
        self.now = now
        recorded = batch.updates
        acceptedApart = dialect == .sqlite
        records = try DeliveryRecordSet(batch.updates, releases: batch.releases, now: now, acceptedApart: acceptedApart)
        factReads = Dictionary(grouping: batch.retirements, by: \.appId).sorted { $0.key < $1.key }.map { appId, retirements in
            TokenStatements.retirementFacts(appId: appId, tokenIds: Set(retirements.map(\.tokenId)).sorted(), dialect: dialect)
        }
        var paused = Set<GatewayPauseOrder>()
        pauses = batch.pauses.filter { paused.insert($0).inserted }.map { order in
            SQLStatement("""
                INSERT INTO gateway_pauses (app_id, platform, reason, since) VALUES (?, ?, ?, ?)
                ON CONFLICT (app_id, platform) DO NOTHING
                """, [.text(order.appId), .text(order.platform.rawValue), .text(order.reason), .time(now)])
        }
    }

    /// Decides each retirement in batch order on the facts read (``TokenLifecycle``'s rule; a token retired earlier
    /// in the batch is no longer live for a later one) and answers the writes: the new status and a registry log entry
    /// per retired token. A delivery whose token keeps its status is recorded as `kept`.
    public mutating func retire(_ facts: [RetiringToken]) throws -> [SQLStatement] {
        struct Key: Hashable { var appId, tokenId: String }
        var tokens = Dictionary(facts.map { (Key(appId: $0.appId, tokenId: $0.tokenId), $0) }, uniquingKeysWith: { first, _ in first })
        var statements: [SQLStatement] = []
        var kept = Set<String>()
        for retirement in batch.retirements {
            let key = Key(appId: retirement.appId, tokenId: retirement.tokenId)
            guard let writes = tokens[key]?.retirement(reason: retirement.reason, at: retirement.at, unlessSeenAfter: retirement.unlessSeenAfter)
            else {
                kept.insert(retirement.deliveryId)
                continue
            }
            statements += [writes.update, writes.log]
            tokens[key]?.status = writes.status
        }
        if !kept.isEmpty {
            recorded = batch.updates.map { update in
                guard kept.contains(update.id), update.outcome == .retired else { return update }
                var kept = update
                kept.outcome = .kept
                return kept
            }
            records = try DeliveryRecordSet(recorded, releases: batch.releases, now: now, acceptedApart: acceptedApart)
        }
        return statements
    }
}
