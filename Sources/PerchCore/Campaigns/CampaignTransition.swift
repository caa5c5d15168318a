import Foundation

/// A campaign's change of status and the times written with it: the one rulebook for sending (`start`), cancelling,
/// the scheduler starting a campaign whose time has come (`due`), and completing. Each backend writes what it
/// answers; a `nil` time leaves the stored one as it is, and `startedAt`/`resolvedAt` never overwrite a time
/// already stored (a campaign starts once).
public struct CampaignTransition: Sendable, Hashable {
    public var status: CampaignStatus
    public var startAt: Date?
    public var startedAt: Date?
    public var resolvedAt: Date?
    public var completedAt: Date?
    public var cancelledAt: Date?
    public var updatedAt: Date
    /// Whether the campaign's queued work is withdrawn with it: its pending and retrying deliveries suppressed
    /// (reason ``cancelledReason``), its waiting trigger instances cancelled.
    public var withdrawsQueuedWork: Bool

    public init(status: CampaignStatus, startAt: Date? = nil, startedAt: Date? = nil, resolvedAt: Date? = nil, completedAt: Date? = nil,
                cancelledAt: Date? = nil, updatedAt: Date, withdrawsQueuedWork: Bool = false) {
        self.status = status
        self.startAt = startAt
        self.startedAt = startedAt
        self.resolvedAt = resolvedAt
        self.completedAt = completedAt
        self.cancelledAt = cancelledAt
        self.updatedAt = updatedAt
        self.withdrawsQueuedWork = withdrawsQueuedWork
    }

    /// The exclusion code, and its words, of a delivery withdrawn by a cancel.
    public static let cancelledReason = "cancelled"
    public static let cancelledDetail = "the campaign was cancelled"

    /// Sending a draft. A triggered campaign has no audience to resolve: it runs, resolved, from now on, listening for
    /// its event. Any other runs now if `startAt` has come, or is scheduled for it.
    public static func start(from status: CampaignStatus, triggered: Bool, startAt: Date, now: Date) throws -> CampaignTransition {
        guard status.canStart else {
            throw PerchError(.conflict, "the campaign is \(status.rawValue); only a draft can be sent", field: "status")
        }
        if triggered { return CampaignTransition(status: .running, startAt: now, startedAt: now, resolvedAt: now, updatedAt: now) }
        if startAt <= now { return CampaignTransition(status: .running, startAt: startAt, startedAt: now, updatedAt: now) }
        return CampaignTransition(status: .scheduled, startAt: startAt, updatedAt: now)
    }

    /// Cancelling a campaign that has not finished: what it had queued is withdrawn with it.
    public static func cancel(from status: CampaignStatus, now: Date) throws -> CampaignTransition {
        guard status.canCancel else {
            throw PerchError(.conflict, "the campaign is \(status.rawValue) and cannot be cancelled", field: "status")
        }
        return CampaignTransition(status: .cancelled, cancelledAt: now, updatedAt: now, withdrawsQueuedWork: true)
    }

    /// The scheduler taking up a due campaign: it runs, started now unless it had already started.
    public static func due(now: Date) -> CampaignTransition {
        CampaignTransition(status: .running, startedAt: now, updatedAt: now)
    }

    /// The delivery states still to be sent: a campaign with any is not finished.
    public static let queuedDeliveryStates = ["pending", "retry", "sending"]

    /// Completing a running, resolved campaign with no delivery left in ``queuedDeliveryStates``. (A triggered
    /// campaign never completes: it listens until it is cancelled.)
    public static func completion(now: Date) -> CampaignTransition {
        CampaignTransition(status: .completed, completedAt: now, updatedAt: now)
    }
}
