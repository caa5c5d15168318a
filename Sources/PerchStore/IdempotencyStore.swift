import Foundation
import PerchCore

/// The `Idempotency-Key`s of an app's sending requests (`POST /v1/send`, `/v1/campaigns`, `/v1/campaigns/{id}/send`,
/// `/api/push`): a key is claimed before the request is handled, its answer stored after, so a retry answers the first
/// answer and sends nothing again. Keys are kept ``IdempotencyRecord/lifetime`` and forgotten by hygiene.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for the request `fingerprint` when the app has no record of it, or only one older than
    /// ``IdempotencyRecord/lifetime`` (which it replaces). Answers `nil` when the key is now this request's, else the
    /// record that holds it.
    func claimIdempotencyKey(appId: String, key: String, fingerprint: String, now: Date) async throws -> IdempotencyRecord?
    /// Stores the answer of the request that claimed `key`.
    func completeIdempotencyKey(appId: String, key: String, fingerprint: String, answer: IdempotencyRecord.Answer) async throws
    /// Gives a claim up (the request failed inside Perch, so a retry may try again).
    func releaseIdempotencyKey(appId: String, key: String, fingerprint: String) async throws
    /// Forgets every key claimed before `cutoff`; answers how many.
    @discardableResult
    func forgetIdempotencyKeys(claimedBefore cutoff: Date) async throws -> Int
}
