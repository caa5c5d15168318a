import Crypto
import Foundation

/// What Perch keeps of a request sent with an `Idempotency-Key`: which request it was (a fingerprint of its method,
/// path and body), when it came, and — once the handler has answered — the answer, so a retry of the same request
/// within ``lifetime`` gets the same answer and does nothing again.
public struct IdempotencyRecord: Sendable, Hashable {
    /// How long a key is kept: a retry within a day answers the first answer; after it the key is forgotten.
    public static let lifetime: TimeInterval = 86_400

    /// The stored answer of a finished request.
    public struct Answer: Sendable, Hashable {
        public var status: Int
        public var contentType: String?
        public var body: String

        public init(status: Int, contentType: String?, body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// SHA-256 (hex) of the request the key was first used for.
    public var fingerprint: String
    public var createdAt: Date
    /// `nil` while the first request is still being handled.
    public var answer: Answer?

    public init(fingerprint: String, createdAt: Date, answer: Answer?) {
        self.fingerprint = fingerprint
        self.createdAt = createdAt
        self.answer = answer
    }

    /// What to do with a request whose key is already held by this record.
    public enum Decision: Sendable, Hashable {
        /// The same request, answered before: answer the stored answer again, do nothing.
        case replay(Answer)
        /// The key was used for another request (another method, path or body): 422, do nothing.
        case reusedForAnotherRequest
        /// The first request with this key is still being handled: 409, try again later.
        case inProgress
        /// The record is older than ``lifetime``: it no longer counts, the request may claim the key anew.
        case expired
    }

    /// Decides what a request with `fingerprint` arriving at `now` does about this record.
    public func decide(fingerprint: String, now: Date) -> Decision {
        if now.timeIntervalSince(createdAt) >= Self.lifetime { return .expired }
        guard fingerprint == self.fingerprint else { return .reusedForAnotherRequest }
        guard let answer else { return .inProgress }
        return .replay(answer)
    }

    /// The fingerprint of a request: SHA-256 over its method, path (with query) and body, each length-prefixed so no
    /// two different requests run together into the same bytes.
    public static func fingerprint(method: String, path: String, body: some Collection<UInt8>) -> String {
        var hash = SHA256()
        for part in [Array(method.utf8), Array(path.utf8), Array(body)] {
            var length = UInt64(part.count).bigEndian
            withUnsafeBytes(of: &length) { hash.update(bufferPointer: $0) }
            hash.update(data: part)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The longest key accepted.
    public static let keyMaxLength = 255

    /// Checks an `Idempotency-Key` header: 1–255 printable ASCII characters, else a 400 naming the header.
    public static func validateKey(_ key: String) throws(PerchError) -> String {
        guard (1...keyMaxLength).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .invalid("Idempotency-Key", "the Idempotency-Key header is 1 to \(keyMaxLength) printable ASCII characters")
        }
        return key
    }
}
