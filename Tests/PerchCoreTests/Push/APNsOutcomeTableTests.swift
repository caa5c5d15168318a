import Foundation
import PerchCore
import Testing

@Suite("APNs outcome table")
struct APNsOutcomeTableTests {
    func outcome(
        _ status: Int, _ reason: String? = nil, timestamp: Date? = nil, retryAfter: Duration? = nil,
        token: APNsEnvironment? = .production, connection: APNsEnvironment = .production
    ) -> DeliveryOutcome {
        APNsOutcomeTable.outcome(
            for: APNsAnswer(
                status: status, apnsId: status == 200 ? "6c1a6b0e-0a4b-4cbb-9a8b-2b1b0c1d2e3f" : nil,
                reason: reason.map(APNsErrorReason.init(rawValue:)), timestamp: timestamp, retryAfter: retryAfter),
            tokenEnvironment: token, connectionEnvironment: connection)
    }

    @Test("200 is accepted with the apns-id")
    func accepted() {
        #expect(outcome(200) == .accepted(gatewayMessageId: "6c1a6b0e-0a4b-4cbb-9a8b-2b1b0c1d2e3f"))
    }

    @Test("410 Unregistered retires the token with APNs' timestamp")
    func unregistered() {
        let when = Date(timeIntervalSince1970: 1_700_000_000)
        let result = outcome(410, "Unregistered", timestamp: when)
        #expect(result == .retireToken(reason: .init(platform: .apns, status: 410, code: "Unregistered"), timestamp: when))
    }

    @Test("410 ExpiredToken retires the token")
    func expiredToken() {
        #expect(outcome(410, "ExpiredToken").retiresToken)
    }

    @Test("400 BadDeviceToken retires a token of the connection's environment")
    func badDeviceTokenSameEnvironment() {
        #expect(outcome(400, "BadDeviceToken", token: .sandbox, connection: .sandbox).retiresToken)
        #expect(outcome(400, "BadDeviceToken", token: .production, connection: .production).retiresToken)
    }

    @Test("400 BadDeviceToken for a token of the other environment is a message error, never a retirement")
    func badDeviceTokenEnvironmentMixUp() {
        let result = outcome(400, "BadDeviceToken", token: .sandbox, connection: .production)
        guard case .messageError(let reason) = result else {
            Issue.record("expected a message error, got \(result)")
            return
        }
        #expect(reason.code == "BadDeviceToken")
        #expect(!outcome(400, "BadDeviceToken", token: .production, connection: .sandbox).retiresToken)
    }

    @Test("400 BadDeviceToken for a token of unknown environment is not retired")
    func badDeviceTokenUnknownEnvironment() {
        guard case .messageError = outcome(400, "BadDeviceToken", token: nil) else {
            Issue.record("expected a message error")
            return
        }
    }

    @Test("400 DeviceTokenNotForTopic is a message error: a wrong topic must not wipe tokens")
    func deviceTokenNotForTopic() {
        #expect(outcome(400, "DeviceTokenNotForTopic") == .messageError(reason: .init(platform: .apns, status: 400, code: "DeviceTokenNotForTopic")))
    }

    @Test("400 message faults (BadCollapseId, PayloadEmpty, BadPriority, …) are message errors")
    func badRequestMessageFaults() {
        for reason in ["BadCollapseId", "BadExpirationDate", "BadMessageId", "BadPriority", "DuplicateHeaders",
                       "InvalidPushType", "MissingDeviceToken", "PayloadEmpty"] {
            guard case .messageError(let r) = outcome(400, reason) else {
                Issue.record("\(reason) should be a message error")
                continue
            }
            #expect(r.code == reason)
        }
    }

    @Test("400 BadTopic, MissingTopic and TopicDisallowed are configuration errors")
    func topicConfiguration() {
        for reason in ["BadTopic", "MissingTopic", "TopicDisallowed"] {
            guard case .credentialError = outcome(400, reason) else {
                Issue.record("\(reason) should be a credential/configuration error")
                continue
            }
        }
    }

    @Test("403 provider-token reasons are credential errors and touch no token")
    func providerToken() {
        for reason in ["ExpiredProviderToken", "InvalidProviderToken", "MissingProviderToken", "BadCertificate",
                       "BadCertificateEnvironment", "Forbidden"] {
            let result = outcome(403, reason)
            guard case .credentialError(let r) = result else {
                Issue.record("\(reason) should be a credential error, got \(result)")
                continue
            }
            #expect(r.code == reason)
        }
    }

    @Test("405 MethodNotAllowed and 404 BadPath are message errors")
    func badPath() {
        guard case .messageError = outcome(404, "BadPath"), case .messageError = outcome(405, "MethodNotAllowed") else {
            Issue.record("expected message errors")
            return
        }
    }

    @Test("413 PayloadTooLarge is a message error")
    func payloadTooLarge() {
        #expect(outcome(413, "PayloadTooLarge") == .messageError(reason: .init(platform: .apns, status: 413, code: "PayloadTooLarge")))
    }

    @Test("429 TooManyRequests is retried no earlier than Retry-After")
    func tooManyRequests() {
        #expect(outcome(429, "TooManyRequests", retryAfter: .seconds(30))
            == .retry(after: .seconds(30), reason: .init(platform: .apns, status: 429, code: "TooManyRequests")))
    }

    @Test("429 TooManyProviderTokenUpdates is retried")
    func tooManyProviderTokenUpdates() {
        guard case .retry = outcome(429, "TooManyProviderTokenUpdates") else {
            Issue.record("expected a retry")
            return
        }
    }

    @Test("500 InternalServerError and 503 ServiceUnavailable/Shutdown are retried with backoff")
    func serverErrors() {
        #expect(outcome(500, "InternalServerError") == .retry(after: nil, reason: .init(platform: .apns, status: 500, code: "InternalServerError")))
        #expect(outcome(503, "ServiceUnavailable", retryAfter: .seconds(5))
            == .retry(after: .seconds(5), reason: .init(platform: .apns, status: 503, code: "ServiceUnavailable")))
        guard case .retry = outcome(503, "Shutdown") else {
            Issue.record("Shutdown should be retried")
            return
        }
    }

    @Test("an unknown reason is kept verbatim, retried conservatively and never retires — even with status 410")
    func unknownReason() {
        let reason = APNsErrorReason(rawValue: "SomethingNew")
        #expect(reason.known == .unknown("SomethingNew"))
        for status in [400, 410, 500] {
            let result = outcome(status, "SomethingNew")
            #expect(result == .retry(after: APNsOutcomeTable.conservativeRetryDelay,
                                     reason: .init(platform: .apns, status: status, code: "SomethingNew")))
            #expect(!result.retiresToken)
        }
    }

    @Test("an error without a reason body never retires")
    func noReasonBody() {
        #expect(!outcome(410).retiresToken)
        guard case .retry = outcome(502) else {
            Issue.record("a bare 502 should be retried")
            return
        }
    }

    @Test("the answer parser reads reason, timestamp in milliseconds, apns-id and Retry-After")
    func parsing() {
        let body = Data(#"{"reason":"Unregistered","timestamp":1700000000123}"#.utf8)
        let headers = ["apns-id": "abc", "retry-after": "120"]
        let answer = APNsAnswer(status: 410, header: { headers[$0] }, body: body, now: Date())
        #expect(answer.reason == .unregistered)
        #expect(answer.apnsId == "abc")
        #expect(answer.retryAfter == .seconds(120))
        #expect(answer.timestamp == Date(timeIntervalSince1970: 1_700_000_000.123))
    }
}
