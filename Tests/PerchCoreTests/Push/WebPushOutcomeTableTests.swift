import Foundation
import PerchCore
import Testing

@Suite("Web Push outcome table")
struct WebPushOutcomeTableTests {
    func outcome(_ status: Int, location: String? = nil, retryAfter: Duration? = nil) -> DeliveryOutcome {
        WebPushOutcomeTable.outcome(for: WebPushAnswer(status: status, location: location, retryAfter: retryAfter))
    }

    @Test("201 Created is accepted with the Location")
    func created() {
        #expect(outcome(201, location: "https://push.example.net/m/1") == .accepted(gatewayMessageId: "https://push.example.net/m/1"))
    }

    @Test("404 Not Found retires the subscription")
    func notFound() {
        #expect(outcome(404) == .retireToken(reason: .init(platform: .webpush, status: 404, code: "NotFound"), timestamp: nil))
    }

    @Test("410 Gone retires the subscription")
    func gone() {
        #expect(outcome(410) == .retireToken(reason: .init(platform: .webpush, status: 410, code: "Gone"), timestamp: nil))
    }

    @Test("413 Payload Too Large is a message error")
    func tooLarge() {
        #expect(outcome(413) == .messageError(reason: .init(platform: .webpush, status: 413, code: "PayloadTooLarge")))
    }

    @Test("429 is retried no earlier than Retry-After")
    func tooManyRequests() {
        #expect(outcome(429, retryAfter: .seconds(42)) == .retry(after: .seconds(42), reason: .init(platform: .webpush, status: 429, code: "TooManyRequests")))
    }

    @Test("400, 401 and 403 (bad VAPID) are configuration errors")
    func badVapid() {
        #expect(outcome(400) == .credentialError(reason: .init(platform: .webpush, status: 400, code: "BadRequest")))
        #expect(outcome(401) == .credentialError(reason: .init(platform: .webpush, status: 401, code: "Unauthorized")))
        #expect(outcome(403) == .credentialError(reason: .init(platform: .webpush, status: 403, code: "Forbidden")))
    }

    @Test("5xx is retried")
    func serverErrors() {
        #expect(outcome(500) == .retry(after: nil, reason: .init(platform: .webpush, status: 500, code: "InternalServerError")))
        #expect(outcome(503, retryAfter: .seconds(3)) == .retry(after: .seconds(3), reason: .init(platform: .webpush, status: 503, code: "ServiceUnavailable")))
    }

    @Test("an unexpected status is retried conservatively and never retires")
    func unexpected() {
        let result = outcome(418)
        #expect(result == .retry(after: WebPushOutcomeTable.conservativeRetryDelay, reason: .init(platform: .webpush, status: 418, code: "Status418")))
    }

    @Test("Retry-After reads delay-seconds and HTTP-dates")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.delay("120", now: now) == .seconds(120))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:37 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.delay("soon", now: now) == nil)
        #expect(RetryAfter.delay(nil, now: now) == nil)
    }
}
