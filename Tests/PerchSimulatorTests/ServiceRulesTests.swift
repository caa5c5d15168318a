import Foundation
import Testing

@testable import PerchSimulator

/// The services' rules on their own, without a server: parsing and validation are pure.
@Suite("Service rules without I/O")
struct ServiceRulesTests {
    @Test("APNs device tokens are an even number of hex digits, at most 100 bytes")
    func deviceTokens() {
        #expect(SimulatedAPNs.isDeviceToken(String(repeating: "0a", count: 32)))
        #expect(SimulatedAPNs.isDeviceToken(String(repeating: "ff", count: 100)))
        #expect(!SimulatedAPNs.isDeviceToken(""))
        #expect(!SimulatedAPNs.isDeviceToken("abc"))
        #expect(!SimulatedAPNs.isDeviceToken(String(repeating: "ff", count: 101)))
        #expect(!SimulatedAPNs.isDeviceToken("zz" + String(repeating: "0", count: 62)))
    }

    @Test("form bodies decode '+' as space and percent escapes")
    func formFields() {
        let fields = SimulatedFCM.formFields(Data("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c&note=two+words&empty".utf8))
        #expect(fields == [
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b.c", "note": "two words", "empty": "",
        ])
    }

    @Test("FCM data values must be strings; notification fields are title, body and image")
    func messageShape() {
        #expect(SimulatedFCM.shapeProblem(["token": "t", "data": ["a": "1"], "notification": ["title": "x"]]) == nil)
        #expect(SimulatedFCM.shapeProblem(["data": ["a": 1]]) != nil)
        #expect(SimulatedFCM.shapeProblem(["data": "a=1"]) != nil)
        #expect(SimulatedFCM.shapeProblem(["notification": ["subtitle": "x"]]) != nil)
        #expect(SimulatedFCM.shapeProblem(["android": "high"]) != nil)
        #expect(SimulatedFCM.shapeProblem(["topic": "news"]) != nil)
    }

    @Test("FCM registration tokens are long URL-safe strings")
    func registrationTokens() {
        #expect(SimulatedFCM.isRegistrationToken("cAbC-12_3:APA91bH_xyz"))
        #expect(!SimulatedFCM.isRegistrationToken("short"))
        #expect(!SimulatedFCM.isRegistrationToken("has spaces in it"))
        #expect(!SimulatedFCM.isRegistrationToken("ünïcödé-token-value"))
    }

    @Test("Web Push topics are at most 32 base64url characters")
    func topics() {
        #expect(SimulatedWebPush.isTopic("news_1-A"))
        #expect(SimulatedWebPush.isTopic(String(repeating: "a", count: 32)))
        #expect(!SimulatedWebPush.isTopic(String(repeating: "a", count: 33)))
        #expect(!SimulatedWebPush.isTopic("with space"))
        #expect(!SimulatedWebPush.isTopic(""))
    }

    @Test("requests split path and query and lower-case header names; authorization is never recorded")
    func requests() {
        let request = SimulatorRequest(
            method: "GET", uri: "/_sim/counters?platform=fcm&x=a%20b",
            headers: [(name: "Authorization", value: "bearer secret"), (name: "APNS-Topic", value: "t")], body: Data())
        #expect(request.path == "/_sim/counters")
        #expect(request.query == ["platform": "fcm", "x": "a b"])
        #expect(request.header("apns-topic") == "t")
        #expect(request.recordableHeaders == ["apns-topic": "t"])
    }

    @Test("JWT parsing reads header, claims and numbers; garbage is not a JWT")
    func jwtParsing() throws {
        let token = try #require(JSONWebToken(compact: "eyJhbGciOiJFUzI1NiIsImtpZCI6IksifQ.eyJpc3MiOiJUIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2ln"))
        #expect(token.algorithm == "ES256")
        #expect(token.header["kid"] as? String == "K")
        #expect(token.string("iss") == "T")
        #expect(token.number("iat") == 1_700_000_000)
        #expect(JSONWebToken(compact: "a.b") == nil)
        #expect(JSONWebToken(compact: "!!.??.**") == nil)
    }
}
