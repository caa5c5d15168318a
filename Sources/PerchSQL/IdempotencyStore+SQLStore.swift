import Foundation
import PerchCore
import PerchStore

/// Idempotency keys written once for every ``SQLStore``.
extension IdempotencyStore where Self: SQLStore {
    public func claimIdempotencyKey(appId: String, key: String, fingerprint: String, now: Date) async throws -> IdempotencyRecord? {
        // A claim given up between the insert and the read leaves nothing to read: claim again (a few times at most).
        for _ in 0..<3 {
            let claimed = try await write(guard: IdempotencyStatements.claim(appId: appId, key: key, fingerprint: fingerprint, now: now),
                                          then: []) { try $0.text(required: 0) }
            if !claimed.isEmpty { return nil }
            if let record = try await row(IdempotencyStatements.record(appId: appId, key: key), { row in
                let answer = try row.integer(2).map { status in
                    IdempotencyRecord.Answer(status: status, contentType: try row.text(3), body: try row.text(4) ?? "")
                }
                return IdempotencyRecord(fingerprint: try row.text(required: 0), createdAt: Date(timeIntervalSince1970: try row.real(required: 1)),
                                         answer: answer)
            }) {
                return record
            }
        }
        // Claimed and released over and over by others: report the key as busy.
        return IdempotencyRecord(fingerprint: fingerprint, createdAt: now, answer: nil)
    }

    public func completeIdempotencyKey(appId: String, key: String, fingerprint: String, answer: IdempotencyRecord.Answer) async throws {
        try await execute([IdempotencyStatements.complete(appId: appId, key: key, fingerprint: fingerprint, answer: answer)])
    }

    public func releaseIdempotencyKey(appId: String, key: String, fingerprint: String) async throws {
        try await execute([IdempotencyStatements.release(appId: appId, key: key, fingerprint: fingerprint)])
    }

    @discardableResult
    public func forgetIdempotencyKeys(claimedBefore cutoff: Date) async throws -> Int {
        try await write(guard: IdempotencyStatements.forget(claimedBefore: cutoff), then: []) { try $0.text(required: 0) }.count
    }
}
