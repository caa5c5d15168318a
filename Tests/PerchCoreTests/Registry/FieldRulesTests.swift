import Crypto
import Foundation
import Testing
@testable import PerchCore

@Suite("Field rules")
struct FieldRulesTests {
    static let apnsToken = String(repeating: "aB", count: 32)

    @Test func apnsTokensAreHexOf64To200AndLowercased() throws {
        #expect(try FieldRules.apnsToken(Self.apnsToken) == Self.apnsToken.lowercased())
        #expect(try FieldRules.apnsToken(String(repeating: "a", count: 200)).count == 200)
        for bad in [String(repeating: "a", count: 62), String(repeating: "a", count: 202), String(repeating: "g", count: 64),
                    String(repeating: "a", count: 65), ""] {
            expectPerchError(field: "token") { _ = try FieldRules.apnsToken(bad) }
        }
    }

    @Test func fcmTokensHaveTheirCharacterSetAndLength() throws {
        let real = "cXk3bF9wT0e2XyZ1AbCdEf:APA91b" + String(repeating: "Hq-_Z9", count: 22)
        #expect(try FieldRules.fcmToken(real) == real)
        #expect(throws: PerchError.self) { try FieldRules.fcmToken("short:APA91b") }
        #expect(throws: PerchError.self) { try FieldRules.fcmToken(real + " ") }
        #expect(throws: PerchError.self) { try FieldRules.fcmToken(real.replacingOccurrences(of: "-", with: "+")) }
        #expect(throws: PerchError.self) { try FieldRules.fcmToken(String(repeating: "a", count: 4097)) }
    }

    @Test func p256dhMustBeAPointOnTheCurve() throws {
        let key = P256.KeyAgreement.PrivateKey().publicKey.x963Representation
        #expect(try FieldRules.p256dh(Base64URL.encode(key)) == key)
        var offCurve = key
        offCurve[64] ^= 0x01
        expectPerchError(field: "subscription.keys.p256dh") { _ = try FieldRules.p256dh(Base64URL.encode(offCurve)) }
        #expect(throws: PerchError.self) { try FieldRules.p256dh(Base64URL.encode(key.prefix(33))) }
        #expect(throws: PerchError.self) { try FieldRules.p256dh("not base64!") }
    }

    @Test func authIsSixteenBytes() throws {
        #expect(try FieldRules.authSecret(Base64URL.encode(Data(count: 16))).count == 16)
        #expect(throws: PerchError.self) { try FieldRules.authSecret(Base64URL.encode(Data(count: 15))) }
    }

    @Test func endpointsAreHTTPSAndBounded() throws {
        #expect(try FieldRules.endpoint("https://fcm.googleapis.com/fcm/send/abc").host == "fcm.googleapis.com")
        for bad in ["http://push.example.com/x", "ftp://x/y", "https:///nohost", "https://user:pw@push.example.com/x",
                    "https://push.example.com/" + String(repeating: "a", count: 2048)] {
            expectPerchError(field: "subscription.endpoint") { _ = try FieldRules.endpoint(bad) }
        }
    }

    @Test func timezonesAreIANANames() throws {
        #expect(try FieldRules.timezone("Europe/Berlin") == "Europe/Berlin")
        #expect(try FieldRules.timezone(nil) == nil)
        #expect(throws: PerchError.self) { try FieldRules.timezone("Mars/Olympus") }
        #expect(throws: PerchError.self) { try FieldRules.timezone("GMT+5") }
    }

    @Test func localesAreBCP47() throws {
        #expect(try FieldRules.locale("en_US") == "en-US")
        #expect(try FieldRules.locale("zh-Hant-TW") == "zh-Hant-TW")
        for bad in ["e", "english-language-tag", "en US", "12-US", String(repeating: "a", count: 36)] {
            #expect(throws: PerchError.self) { try FieldRules.locale(bad) }
        }
    }

    @Test func identifiersHaveADocumentedCharacterSet() throws {
        #expect(try FieldRules.installationId("7F3A9C1E-2B4D-4E6F-8A0B-1C2D3E4F5A6B") != "")
        #expect(try FieldRules.userId("auth0|user@example.com") != "")
        for bad in ["", "has space", "slash/id", String(repeating: "a", count: 129), "emoji🙂"] {
            #expect(throws: PerchError.self) { try FieldRules.installationId(bad) }
        }
        #expect(throws: PerchError.self) { try FieldRules.userId(String(repeating: "u", count: 257)) }
        expectPerchError(field: "userId", code: .missingField) { _ = try FieldRules.userId(nil) }
    }

    @Test func appVersionIsBounded() throws {
        #expect(try FieldRules.appVersion("4.2.0 (1234)".replacingOccurrences(of: " ", with: "+")) != nil)
        #expect(throws: PerchError.self) { try FieldRules.appVersion(String(repeating: "1", count: 65)) }
        #expect(throws: PerchError.self) { try FieldRules.appVersion("1.0\n") }
    }
}
