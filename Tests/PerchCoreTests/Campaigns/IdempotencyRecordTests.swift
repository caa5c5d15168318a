import Foundation
import Testing
@testable import PerchCore

@Suite("Deciding a request by its Idempotency-Key")
struct IdempotencyRecordTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let answer = IdempotencyRecord.Answer(status: 200, contentType: "application/json", body: #"{"sendId":"cmp_1"}"#)

    @Test("the same request replays the stored answer; another request is refused; an unanswered one is in progress")
    func decisions() {
        let done = IdempotencyRecord(fingerprint: "f", createdAt: start, answer: answer)
        #expect(done.decide(fingerprint: "f", now: start.addingTimeInterval(10)) == .replay(answer))
        #expect(done.decide(fingerprint: "g", now: start.addingTimeInterval(10)) == .reusedForAnotherRequest)
        let running = IdempotencyRecord(fingerprint: "f", createdAt: start, answer: nil)
        #expect(running.decide(fingerprint: "f", now: start.addingTimeInterval(10)) == .inProgress)
        #expect(running.decide(fingerprint: "g", now: start.addingTimeInterval(10)) == .reusedForAnotherRequest)
    }

    @Test("after 24 hours a record no longer counts, whatever the request")
    func expiry() {
        let done = IdempotencyRecord(fingerprint: "f", createdAt: start, answer: answer)
        #expect(done.decide(fingerprint: "f", now: start.addingTimeInterval(86_399)) == .replay(answer))
        #expect(done.decide(fingerprint: "f", now: start.addingTimeInterval(86_400)) == .expired)
        #expect(done.decide(fingerprint: "g", now: start.addingTimeInterval(90_000)) == .expired)
    }

    @Test("the fingerprint covers method, path and body, and parts cannot run into each other")
    func fingerprint() {
        let base = IdempotencyRecord.fingerprint(method: "POST", path: "/v1/send", body: Array(#"{"a":1}"#.utf8))
        #expect(base.count == 64)
        #expect(base == IdempotencyRecord.fingerprint(method: "POST", path: "/v1/send", body: Array(#"{"a":1}"#.utf8)))
        #expect(base != IdempotencyRecord.fingerprint(method: "POST", path: "/v1/send", body: Array(#"{"a":2}"#.utf8)))
        #expect(base != IdempotencyRecord.fingerprint(method: "POST", path: "/api/push", body: Array(#"{"a":1}"#.utf8)))
        #expect(IdempotencyRecord.fingerprint(method: "POST", path: "/v1/sendx", body: Array("y".utf8))
            != IdempotencyRecord.fingerprint(method: "POST", path: "/v1/send", body: Array("xy".utf8)))
    }

    @Test("a key is 1 to 255 printable ASCII characters, else a 400 naming the header")
    func keys() throws {
        #expect(try IdempotencyRecord.validateKey("order-42 retry #1") == "order-42 retry #1")
        #expect(try IdempotencyRecord.validateKey(String(repeating: "k", count: 255)).count == 255)
        for bad in ["", String(repeating: "k", count: 256), "tab\there", "naïve", "bell\u{7}"] {
            let error = #expect(throws: PerchError.self) { try IdempotencyRecord.validateKey(bad) }
            #expect(error?.field == "Idempotency-Key" && error?.code == .invalidField)
        }
    }
}
