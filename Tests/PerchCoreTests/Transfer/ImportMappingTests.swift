import Foundation
import Testing
import PerchCore

@Suite("Import mappings")
struct ImportMappingTests {
    let apns = "7abcd558f29d0b1f048083e2834ad8ea4b3d87d8ad9c088b33c132706ff445f0"

    @Test func oneSignalRowsBecomeRegistrationsByDeviceType() throws {
        let ios = try ImportMapping.onesignal.registration(from: [
            "id": "b2f7f966-d8cc-11e4-bed1-df8f05be55ba", "identifier": apns, "device_type": "0", "language": "en",
            "timezone_id": "America/New_York", "game_version": "1.4.2", "external_user_id": "user-9", "notification_types": "1",
        ]).validated(endpointPolicy: EndpointPolicy())
        #expect(ios.installationId == "onesignal-b2f7f966-d8cc-11e4-bed1-df8f05be55ba")
        #expect(ios.destination == .apns(token: apns, environment: nil) && ios.userId == "user-9" && ios.consent == .granted)
        #expect(ios.locale == "en" && ios.timezone == "America/New_York" && ios.appVersion == "1.4.2")

        let unsubscribed = try ImportMapping.onesignal.registration(from: [
            "id": "p2", "identifier": String(repeating: "Ab9_", count: 40), "device_type": "1", "notification_types": "-2"])
        #expect(unsubscribed.platform == "fcm" && unsubscribed.consent == "denied")

        #expect(throws: PerchError.self) {
            try ImportMapping.onesignal.registration(from: ["id": "p3", "identifier": "x@example.com", "device_type": "11"])
        }
        #expect(throws: PerchError.self) {
            try ImportMapping.onesignal.registration(from: ["id": "p4", "identifier": apns, "device_type": "0", "invalid_identifier": "true"])
        }
        #expect(ImportMapping.onesignal.missingColumns(in: ["id", "identifier"]) == ["device_type"])
    }

    @Test func firebaseRowsAreFCMTokensWithAStableInstallation() throws {
        let token = "dQw4w9WgXcQ:APA91b" + String(repeating: "Tk_-Q7", count: 24)
        let first = try ImportMapping.firebase.registration(from: ["token": token, "__name__": "fcmTokens/user-1", "timestamp": "2024-01-01"])
        let again = try ImportMapping.firebase.registration(from: ["fcmToken": token, "uid": "user-1"])
        #expect(first.platform == "fcm" && first.userId == "user-1" && first.token == token)
        #expect(first.installationId == again.installationId && first.installationId?.hasPrefix("firebase-") == true)
        #expect(first.installationId?.contains(token) == false)
        #expect(try ImportMapping.firebase.registration(from: ["token": token, "fid": "cE3x"]).installationId == "cE3x")
        #expect(ImportMapping.firebase.missingColumns(in: ["uid"]) == ["token or fcmToken or fcm_token or registration_token"])
    }

    @Test func perchRowsRoundTripExportColumnsAndSkipRetiredTokens() throws {
        let body = try ImportMapping.perch.registration(from: [
            "installationId": "i1", "platform": "apns", "token": apns, "environment": "sandbox", "userId": "u1", "consent": "revoked",
            "attributes": #"{"plan":"pro"}"#, "status": "stale"])
        let registration = try body.validated(endpointPolicy: EndpointPolicy())
        #expect(registration.destination == .apns(token: apns, environment: .sandbox) && registration.consent == .denied)
        #expect(registration.attributes == ["plan": "pro"])
        #expect(throws: PerchError.self) {
            try ImportMapping.perch.registration(from: ["installationId": "i1", "platform": "apns", "token": apns, "status": "invalid"])
        }
        #expect(throws: PerchError.self) {
            try ImportMapping.perch.registration(from: ["installationId": "i1", "platform": "apns", "token": apns, "attributes": "[1]"])
        }
    }
}
