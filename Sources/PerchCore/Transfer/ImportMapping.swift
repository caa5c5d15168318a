import Crypto
import Foundation

/// How the columns of an import file become a registration (`POST /v1/tokens` body), so imported
/// tokens go through exactly the API's validation and sealing.
///
/// - ``perch``: Perch's own columns (what `perch export` writes) — see ``perchColumns``.
/// - ``onesignal``: OneSignal's subscription CSV export (`POST /players/csv_export`): `id` (player id),
///   `identifier` (the push token), `device_type` (0 iOS, 1 Android, 5 Chrome and 8 Firefox Web Push),
///   `language`, `timezone_id`, `game_version`, `external_user_id`, `notification_types`,
///   `invalid_identifier`, `web_auth`, `web_p256`.
/// - ``firebase``: FCM registration tokens as Firebase's token-management guide stores them (one
///   document per user in `fcmTokens` with `token` and `timestamp`), exported to CSV: `token` (or
///   `fcmToken`, `registration_token`), `user_id` (or `uid`, `userId`, `document_id`, `__name__`),
///   optional `installation_id` (or `fid`), `app_version`, `language`/`locale`, `timezone`.
public enum ImportMapping: String, Sendable, CaseIterable {
    case perch
    case onesignal
    case firebase

    /// The columns `perch export` writes and `--mapping perch` reads.
    public static let perchColumns = [
        "installationId", "platform", "token", "environment", "endpoint", "p256dh", "auth", "userId", "consent",
        "appVersion", "locale", "timezone", "attributes", "status", "createdAt", "lastSeenAt", "kind", "activityType", "activityId",
    ]

    /// The columns one of which must be present, checked against the header before any row is read.
    public func missingColumns(in header: [String]) -> [String] {
        let names = Set(header)
        let required: [[String]] =
            switch self {
            case .perch: [["installationId"], ["platform"]]
            case .onesignal: [["id"], ["identifier"], ["device_type"]]
            case .firebase: [Self.firebaseTokenColumns]
            }
        return required.filter { names.isDisjoint(with: $0) }.map { $0.joined(separator: " or ") }
    }

    static let firebaseTokenColumns = ["token", "fcmToken", "fcm_token", "registration_token"]

    /// The registration body a row describes; a row that cannot be one throws, naming the column.
    public func registration(from row: [String: String]) throws(PerchError) -> RegistrationBody {
        func value(_ names: String...) -> String? {
            for name in names {
                if let text = row[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty { return text }
            }
            return nil
        }
        switch self {
        case .perch:
            if let status = value("status"), !["active", "stale"].contains(status) {
                throw PerchError.invalid("status", "status \(status.prefix(16)): a retired token is not imported")
            }
            var body = RegistrationBody(
                platform: value("platform"), token: value("token"), environment: value("environment"),
                installationId: value("installationId"), userId: value("userId"), appVersion: value("appVersion"),
                locale: value("locale"), timezone: value("timezone"), consent: value("consent").map { $0 == "revoked" ? "denied" : $0 },
                kind: value("kind"), activityType: value("activityType"), activityId: value("activityId"))
            if value("endpoint") != nil || value("p256dh") != nil || value("auth") != nil {
                body.subscription = .init(endpoint: value("endpoint"), keys: .init(p256dh: value("p256dh"), auth: value("auth")))
            }
            if let attributes = value("attributes") {
                guard case .object(let object)? = JSONValue(jsonText: attributes) else {
                    throw PerchError.invalid("attributes", "attributes is a JSON object")
                }
                body.attributes = object
            }
            return body

        case .onesignal:
            guard let playerId = value("id") else { throw PerchError.missing("id") }
            guard let identifier = value("identifier") else { throw PerchError.missing("identifier") }
            if let invalid = value("invalid_identifier")?.lowercased(), ["t", "true", "1"].contains(invalid) {
                throw PerchError.invalid("invalid_identifier", "OneSignal marked this token invalid; it is not imported")
            }
            var body = RegistrationBody(
                installationId: "onesignal-" + playerId, userId: value("external_user_id"), appVersion: value("game_version"),
                locale: value("language"), timezone: value("timezone_id"))
            switch value("device_type") ?? "" {
            case "0":
                body.platform = Platform.apns.rawValue
                body.token = identifier
            case "1":
                body.platform = Platform.fcm.rawValue
                body.token = identifier
            case "5", "8", "17":
                body.platform = Platform.webpush.rawValue
                body.subscription = .init(endpoint: identifier, keys: .init(p256dh: value("web_p256"), auth: value("web_auth")))
            case let other:
                throw PerchError.invalid("device_type", "device_type \(other.isEmpty ? "(empty)" : String(other.prefix(8))) is not a push platform Perch imports (0 iOS, 1 Android, 5 Chrome, 8 Firefox)")
            }
            if let types = value("notification_types"), let number = Int(types) {
                body.consent = number > 0 ? ConsentStatus.granted.rawValue : ConsentStatus.denied.rawValue
            }
            return body

        case .firebase:
            guard let token = Self.firebaseTokenColumns.lazy.compactMap({ value($0) }).first else {
                throw PerchError.missing("token")
            }
            let installation = value("installation_id", "fid", "installationId")
                ?? "firebase-" + SHA256.hash(data: Data(token.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
            let user = value("user_id", "uid", "userId", "document_id", "__name__").map { name in
                // Firestore exports may name documents by path: keep the last segment.
                name.split(separator: "/").last.map(String.init) ?? name
            }
            return RegistrationBody(
                platform: Platform.fcm.rawValue, token: token, installationId: installation, userId: user,
                appVersion: value("app_version", "appVersion"), locale: value("locale", "language"), timezone: value("timezone"),
                consent: value("consent"))
        }
    }
}
