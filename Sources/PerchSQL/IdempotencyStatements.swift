import Foundation
import PerchCore

/// The `idempotency_keys` statements both dialects run as written. `key` is quoted: SQLite lists it as a keyword.
public enum IdempotencyStatements {
    /// Inserts the claim, or takes over a record claimed at or before `expiredAt`; answers a row when the key is now
    /// the caller's.
    static func claim(appId: String, key: String, fingerprint: String, now: Date) -> SQLStatement {
        SQLStatement("""
            INSERT INTO idempotency_keys (app_id, "key", fingerprint, created_at, status, content_type, body)
            VALUES (?, ?, ?, ?, NULL, NULL, NULL)
            ON CONFLICT (app_id, "key") DO UPDATE SET fingerprint = excluded.fingerprint, created_at = excluded.created_at,
                status = NULL, content_type = NULL, body = NULL
            WHERE idempotency_keys.created_at <= ?
            RETURNING app_id
            """, [.text(appId), .text(key), .text(fingerprint), .time(now), .time(now.addingTimeInterval(-IdempotencyRecord.lifetime))])
    }

    static func record(appId: String, key: String) -> SQLStatement {
        SQLStatement("""
            SELECT fingerprint, created_at, status, content_type, body FROM idempotency_keys WHERE app_id = ? AND "key" = ?
            """, [.text(appId), .text(key)])
    }

    static func complete(appId: String, key: String, fingerprint: String, answer: IdempotencyRecord.Answer) -> SQLStatement {
        SQLStatement("""
            UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?
            WHERE app_id = ? AND "key" = ? AND fingerprint = ? AND status IS NULL
            """, [.integer(answer.status), .text(answer.contentType), .text(answer.body), .text(appId), .text(key), .text(fingerprint)])
    }

    static func release(appId: String, key: String, fingerprint: String) -> SQLStatement {
        SQLStatement("""
            DELETE FROM idempotency_keys WHERE app_id = ? AND "key" = ? AND fingerprint = ? AND status IS NULL
            """, [.text(appId), .text(key), .text(fingerprint)])
    }

    static func forget(claimedBefore cutoff: Date) -> SQLStatement {
        SQLStatement("DELETE FROM idempotency_keys WHERE created_at < ? RETURNING app_id", [.time(cutoff)])
    }
}
