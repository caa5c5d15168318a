import Foundation
import PerchCore
import Testing

@Suite("FCM outcome table")
struct FCMOutcomeTableTests {
    func parse(_ status: Int, _ json: String, retryAfter: String? = nil) -> FCMAnswer {
        FCMAnswer(status: status, header: { $0 == "retry-after" ? retryAfter : nil }, body: Data(json.utf8), now: Date())
    }

    func error(_ status: Int, _ grpc: String, _ code: String?, message: String = "error") -> String {
        let details = code.map {
            #","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"\#($0)"}]"#
        } ?? ""
        return #"{"error":{"code":\#(status),"message":"\#(message)","status":"\#(grpc)"\#(details)}}"#
    }

    @Test("200 is accepted with the message name")
    func accepted() {
        let answer = parse(200, #"{"name":"projects/demo/messages/0:1234"}"#)
        #expect(FCMOutcomeTable.outcome(for: answer) == .accepted(gatewayMessageId: "projects/demo/messages/0:1234"))
    }

    @Test("404 UNREGISTERED retires the token")
    func unregistered() {
        let answer = parse(404, error(404, "NOT_FOUND", "UNREGISTERED"))
        #expect(answer.errorCode == .unregistered)
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .retireToken(reason: .init(platform: .fcm, status: 404, code: "UNREGISTERED"), timestamp: nil))
    }

    @Test("400 INVALID_ARGUMENT naming the registration token retires it")
    func invalidArgumentNamingToken() {
        let byMessage = parse(400, error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                                         message: "The registration token is not a valid FCM registration token"))
        #expect(FCMOutcomeTable.outcome(for: byMessage).retiresToken)
        let byField = parse(400, #"""
            {"error":{"code":400,"message":"Invalid value","status":"INVALID_ARGUMENT","details":[
             {"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"},
             {"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token","description":"Invalid registration token"}]}]}}
            """#)
        #expect(byField.namesToken)
        #expect(FCMOutcomeTable.outcome(for: byField).retiresToken)
    }

    @Test("400 INVALID_ARGUMENT about the message is a message error")
    func invalidArgumentAboutMessage() {
        let answer = parse(400, error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                                      message: "Invalid value at 'message.data[0].value' (TYPE_STRING), 3"))
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .messageError(reason: .init(platform: .fcm, status: 400, code: "INVALID_ARGUMENT")))
    }

    @Test("403 SENDER_ID_MISMATCH leaves the token alone (a wrong project must not wipe tokens)")
    func senderIdMismatch() {
        let answer = parse(403, error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"))
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .messageError(reason: .init(platform: .fcm, status: 403, code: "SENDER_ID_MISMATCH")))
    }

    @Test("429 QUOTA_EXCEEDED backs off at least a minute")
    func quotaExceededFloor() {
        let answer = parse(429, error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), retryAfter: "10")
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .retry(after: .seconds(60), reason: .init(platform: .fcm, status: 429, code: "QUOTA_EXCEEDED")))
    }

    @Test("429 QUOTA_EXCEEDED honours a Retry-After longer than a minute")
    func quotaExceededRetryAfter() {
        let answer = parse(429, error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), retryAfter: "300")
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .retry(after: .seconds(300), reason: .init(platform: .fcm, status: 429, code: "QUOTA_EXCEEDED")))
    }

    @Test("503 UNAVAILABLE is retried (with jittered backoff, floor Retry-After)")
    func unavailable() {
        let answer = parse(503, error(503, "UNAVAILABLE", "UNAVAILABLE"), retryAfter: "7")
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .retry(after: .seconds(7), reason: .init(platform: .fcm, status: 503, code: "UNAVAILABLE")))
    }

    @Test("500 INTERNAL is retried")
    func internalError() {
        let answer = parse(500, error(500, "INTERNAL", "INTERNAL"))
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .retry(after: nil, reason: .init(platform: .fcm, status: 500, code: "INTERNAL")))
    }

    @Test("401 THIRD_PARTY_AUTH_ERROR is a credential error")
    func thirdPartyAuth() {
        let answer = parse(401, error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"))
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .credentialError(reason: .init(platform: .fcm, status: 401, code: "THIRD_PARTY_AUTH_ERROR")))
    }

    @Test("401 UNAUTHENTICATED without an FCM code (a rejected access token) is a credential error")
    func unauthenticated() {
        let answer = parse(401, error(401, "UNAUTHENTICATED", nil))
        #expect(FCMOutcomeTable.outcome(for: answer)
            == .credentialError(reason: .init(platform: .fcm, status: 401, code: "UNAUTHENTICATED")))
    }

    @Test("OAuth token endpoint refusals are credential errors, its outages are retried")
    func oauthFailures() {
        guard case .credentialError(let reason) = FCMOutcomeTable.outcome(forTokenEndpointStatus: 400, error: "invalid_grant", retryAfter: nil) else {
            Issue.record("invalid_grant should be a credential error")
            return
        }
        #expect(reason.code == "OAuth:invalid_grant")
        guard case .retry = FCMOutcomeTable.outcome(forTokenEndpointStatus: 503, error: nil, retryAfter: nil) else {
            Issue.record("a token endpoint outage should be retried")
            return
        }
    }

    @Test("an unknown errorCode is kept verbatim, retried conservatively, never retires")
    func unknownCode() {
        let answer = parse(404, error(404, "NOT_FOUND", "BRAND_NEW_CODE"))
        #expect(answer.errorCode?.known == .unknown("BRAND_NEW_CODE"))
        let result = FCMOutcomeTable.outcome(for: answer)
        #expect(result == .retry(after: FCMOutcomeTable.conservativeRetryDelay, reason: .init(platform: .fcm, status: 404, code: "BRAND_NEW_CODE")))
        #expect(!result.retiresToken)
    }

    @Test("an error without FCM details never retires, even a 404")
    func noDetails() {
        let answer = parse(404, error(404, "NOT_FOUND", nil))
        guard case .credentialError = FCMOutcomeTable.outcome(for: answer) else {
            Issue.record("a bare 404 (wrong project) is a configuration error")
            return
        }
    }
}
