import Foundation
import PerchCore

/// What several Perch processes over one database agree on through the database itself — no
/// coordination service of their own: a named lease decides who runs a job that must run once
/// (the scheduler's pass, the hygiene period), and per-second send windows count an app's
/// sends to a gateway across every worker, so a rate limit holds however many run.
public protocol CoordinationStore: Sendable {
    /// Takes the lease `name` for `holder` until `now + duration` when it is free, has run out, or
    /// is already `holder`'s (which renews it). Answers whether `holder` holds it now.
    func acquireLease(_ name: String, holder: String, for duration: Duration, now: Date) async throws -> Bool

    /// Gives the lease up before it runs out; does nothing unless `holder` holds it.
    func releaseLease(_ name: String, holder: String) async throws

    /// Reserves up to `wanted` sends of the app on `platform` in the one-second window that holds
    /// `now`, of which at most `perSecond` may go in all. Answers how many were granted (0 when
    /// the window is full).
    func reserveSends(appId: String, platform: Platform, wanted: Int, perSecond: Int, now: Date) async throws -> Int
}

extension CoordinationStore {
    /// How many of `wanted` a reservation granted, from the window's running totals after it:
    /// `requested` counts every send ever asked for in the window, `used` the granted ones
    /// (`min(requested, perSecond)`), so what was used before this request is
    /// `min(requested - wanted, perSecond)`.
    public static func granted(requested: Int, used: Int, wanted: Int, perSecond: Int) -> Int {
        max(0, used - min(requested - wanted, perSecond))
    }
}
