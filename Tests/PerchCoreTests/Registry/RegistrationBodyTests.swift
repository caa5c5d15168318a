import Crypto
import Foundation
import Testing
@testable import PerchCore

@Suite("Registration body")
struct RegistrationBodyTests {
    let apnsToken = String(repeating: "AB", count: 32)

    @Test func apnsEnvironmentIsUnknownUnlessGivenAndTokensLowercase() throws {
        let registration = try RegistrationBody(platform: "apns", token: apnsToken, installationId: "i1").validated(endpointPolicy: .init())
        #expect(registration.destination == .apns(token: apnsToken.lowercased(), environment: nil), "absent means unknown, never assumed")
    }

    @Test func everyBrokenFieldIsNamed() {
        let cases: [(RegistrationBody, String)] = [
            (RegistrationBody(token: apnsToken, installationId: "i1"), "platform"),
            (RegistrationBody(platform: "sms", token: apnsToken, installationId: "i1"), "platform"),
            (RegistrationBody(platform: "apns", token: apnsToken), "installationId"),
            (RegistrationBody(platform: "apns", installationId: "i1"), "token"),
            (RegistrationBody(platform: "apns", token: apnsToken, environment: "staging", installationId: "i1"), "environment"),
            (RegistrationBody(platform: "apns", token: apnsToken, installationId: "i1", userId: "bad user"), "userId"),
            (RegistrationBody(platform: "apns", token: apnsToken, installationId: "i1", previousToken: "zz"), "previousToken"),
            (RegistrationBody(platform: "apns", token: apnsToken, installationId: "i1", timezone: "Nowhere/City"), "timezone"),
            (RegistrationBody(platform: "apns", token: apnsToken, installationId: "i1", locale: "english!"), "locale"),
            (RegistrationBody(platform: "apns", token: apnsToken, installationId: "i1", appVersion: String(repeating: "9", count: 65)), "appVersion"),
            (RegistrationBody(platform: "apns", token: apnsToken, installationId: "i1", consent: "revoked"), "consent"),
            (RegistrationBody(platform: "fcm", token: apnsToken, environment: "sandbox", installationId: "i1"), "environment"),
            (RegistrationBody(platform: "webpush", installationId: "i1"), "subscription"),
        ]
        for (body, field) in cases {
            expectPerchError(field: field) { _ = try body.validated(endpointPolicy: .init()) }
        }
    }

    @Test func webPushSubscriptionsAreCheckedAndIPLiteralsRefused() throws {
        let p256dh = Base64URL.encode(P256.KeyAgreement.PrivateKey().publicKey.x963Representation)
        let auth = Base64URL.encode(Data(repeating: 3, count: 16))
        func body(_ endpoint: String) throws -> RegistrationBody {
            let json = #"{"platform":"webpush","installationId":"w1","subscription":{"endpoint":"\#(endpoint)","keys":{"p256dh":"\#(p256dh)","auth":"\#(auth)"}}}"#
            return try JSONDecoder().decode(RegistrationBody.self, from: Data(json.utf8))
        }
        let named = try body("https://updates.push.services.mozilla.com/wpush/v2/abc").validated(endpointPolicy: .init())
        #expect(named.destination.platform == .webpush)
        expectPerchError(field: "subscription.endpoint", code: .forbiddenEndpoint) {
            _ = try body("https://127.0.0.1:9443/push/1").validated(endpointPolicy: .init())
        }
        // The app's list alone cannot allow it: only the operator's can, and the app's then narrows.
        expectPerchError(field: "subscription.endpoint", code: .forbiddenEndpoint) {
            _ = try body("https://127.0.0.1:9443/push/1").validated(endpointPolicy: .init(allowedHosts: ["127.0.0.1"]))
        }
        let allowed = try body("https://127.0.0.1:9443/push/1").validated(endpointPolicy: .init(
            allowedHosts: ["127.0.0.1"], operatorHosts: GatewayHostAllowList(entries: [.init(host: "127.0.0.1", port: 9443)])))
        #expect(allowed.destination.platform == .webpush)
    }
}
