import Crypto
import Foundation

/// The documented rules for every identifier and token field of the public API.
///
/// | field | rule |
/// |---|---|
/// | `installationId` | 1–128 characters of `A–Z a–z 0–9 . _ : -` |
/// | `userId` | 1–256 characters of `A–Z a–z 0–9 . _ : - @ + = \|` |
/// | APNs `token` | hex, 64–200 characters; stored lower case |
/// | FCM `token` | 100–4096 characters of `A–Z a–z 0–9 - _ :` (registration tokens are `<instance id>:<APA91b…>`) |
/// | Web Push `endpoint` | `https` URL, at most 2048 characters, with a host |
/// | `keys.p256dh` | base64url of a 65-byte uncompressed point on P-256 |
/// | `keys.auth` | base64url of exactly 16 bytes |
/// | `timezone` | an IANA zone name known to the server |
/// | `locale` | BCP 47 tag, at most 35 characters (`en`, `en-US`, `zh-Hant-TW`; `_` accepted and turned into `-`) |
/// | `appVersion` | 1–64 printable ASCII characters |
/// | `activityType`, `activityId` | 1–128 characters of `A–Z a–z 0–9 . _ : -` (a Swift type name, a UUID) |
/// | `attributes` | at most 100 keys of 1–64 characters; each value at most 1 KiB as JSON, nested at most 4 levels |
public enum FieldRules {
    public static let installationIdMaxLength = 128
    public static let userIdMaxLength = 256
    public static let endpointMaxLength = 2048

    private static let identifierScalars = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-")
    private static let userIdScalars = identifierScalars.union(CharacterSet(charactersIn: "@+=|"))
    private static let fcmScalars = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:")
    private static let hexScalars = CharacterSet(charactersIn: "0123456789abcdefABCDEF")

    public static func installationId(_ value: String?, field: String = "installationId") throws(PerchError) -> String {
        guard let value else { throw .missing(field) }
        guard (1...installationIdMaxLength).contains(value.utf8.count), only(value, identifierScalars) else {
            throw .invalid(field, "\(field) must be 1–\(installationIdMaxLength) characters of A–Z a–z 0–9 . _ : -")
        }
        return value
    }

    /// The `ActivityAttributes` type a Live Activity token or start names (APNs' `attributes-type`).
    public static func activityType(_ value: String?, field: String = "activityType") throws(PerchError) -> String {
        guard let value else { throw .missing(field) }
        guard (1...128).contains(value.utf8.count), only(value, identifierScalars) else {
            throw .invalid(field, "\(field) must be 1–128 characters of A–Z a–z 0–9 . _ : -")
        }
        return value
    }

    /// A running Live Activity's id (`Activity.id`, a UUID).
    public static func activityId(_ value: String?, field: String = "activityId") throws(PerchError) -> String {
        guard let value else { throw .missing(field) }
        guard (1...128).contains(value.utf8.count), only(value, identifierScalars) else {
            throw .invalid(field, "\(field) must be 1–128 characters of A–Z a–z 0–9 . _ : -")
        }
        return value
    }

    public static func userId(_ value: String?, field: String = "userId") throws(PerchError) -> String {
        guard let value else { throw .missing(field) }
        guard (1...userIdMaxLength).contains(value.utf8.count), only(value, userIdScalars) else {
            throw .invalid(field, "\(field) must be 1–\(userIdMaxLength) characters of A–Z a–z 0–9 . _ : - @ + = |")
        }
        return value
    }

    /// An APNs device token, normalised to lower case.
    public static func apnsToken(_ value: String?, field: String = "token") throws(PerchError) -> String {
        guard let value else { throw .missing(field) }
        guard (64...200).contains(value.utf8.count), value.utf8.count % 2 == 0, only(value, hexScalars) else {
            throw .invalid(field, "an APNs token is an even number (64–200) of hexadecimal characters")
        }
        return value.lowercased()
    }

    public static func fcmToken(_ value: String?, field: String = "token") throws(PerchError) -> String {
        guard let value else { throw .missing(field) }
        guard (100...4096).contains(value.utf8.count), only(value, fcmScalars) else {
            throw .invalid(field, "an FCM registration token is 100–4096 characters of A–Z a–z 0–9 - _ :")
        }
        return value
    }

    /// A Web Push endpoint's syntax. Where it may point is ``EndpointPolicy``'s job.
    public static func endpoint(_ value: String?, field: String = "subscription.endpoint") throws(PerchError) -> URL {
        guard let value else { throw .missing(field) }
        guard value.utf8.count <= endpointMaxLength else {
            throw .invalid(field, "the endpoint is longer than \(endpointMaxLength) characters")
        }
        guard let components = URLComponents(string: value), components.scheme?.lowercased() == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              let url = components.url
        else {
            throw .invalid(field, "the endpoint must be an https URL with a host")
        }
        return url
    }

    /// The subscription's public key: base64url of an uncompressed P-256 point that lies on the curve.
    public static func p256dh(_ value: String?, field: String = "subscription.keys.p256dh") throws(PerchError) -> Data {
        guard let value else { throw .missing(field) }
        guard let bytes = Base64URL.decode(value), bytes.count == 65, bytes.first == 0x04 else {
            throw .invalid(field, "p256dh must be base64url of a 65-byte uncompressed P-256 point")
        }
        guard (try? P256.KeyAgreement.PublicKey(x963Representation: bytes)) != nil else {
            throw .invalid(field, "p256dh is not a point on the P-256 curve")
        }
        return bytes
    }

    public static func authSecret(_ value: String?, field: String = "subscription.keys.auth") throws(PerchError) -> Data {
        guard let value else { throw .missing(field) }
        guard let bytes = Base64URL.decode(value), bytes.count == 16 else {
            throw .invalid(field, "auth must be base64url of exactly 16 bytes")
        }
        return bytes
    }

    // Linux Foundation leaves the Etc/ aliases out of its list, though they are IANA names (and Debian's default zone).
    private static let knownZones = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC", "GMT", "Etc/UTC", "Etc/GMT"])

    public static func timezone(_ value: String?, field: String = "timezone") throws(PerchError) -> String? {
        guard let value else { return nil }
        guard knownZones.contains(value) else {
            throw .invalid(field, "timezone must be an IANA time zone name such as Europe/Berlin")
        }
        return value
    }

    public static func locale(_ value: String?, field: String = "locale") throws(PerchError) -> String? {
        guard let value else { return nil }
        let tag = value.replacingOccurrences(of: "_", with: "-")
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        let letters = CharacterSet.letters
        let alphanumerics = CharacterSet.alphanumerics
        guard tag.utf8.count <= 35, tag.allSatisfy(\.isASCII), let language = parts.first,
              (2...3).contains(language.count), only(String(language), letters),
              parts.dropFirst().allSatisfy({ (1...8).contains($0.count) && only(String($0), alphanumerics) })
        else {
            throw .invalid(field, "locale must be a BCP 47 tag such as en-US, at most 35 characters")
        }
        return tag
    }

    public static func appVersion(_ value: String?, field: String = "appVersion") throws(PerchError) -> String? {
        guard let value else { return nil }
        guard (1...64).contains(value.utf8.count), value.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw .invalid(field, "appVersion must be 1–64 printable ASCII characters without spaces")
        }
        return value
    }

    /// The most attributes (or event properties) one object holds.
    public static let attributeCountLimit = 100
    /// The longest attribute name, in bytes.
    public static let attributeNameMaxLength = 64
    /// The largest attribute value, as JSON text in bytes: room for a name, a plan, a list of interests — not a document.
    public static let attributeValueMaxBytes = 1024
    /// How deeply an attribute value may nest arrays and objects.
    public static let attributeValueMaxDepth = 4

    /// Free-form attributes: a JSON object of at most 100 keys of at most 64 characters, each value at most
    /// 1 KiB as JSON and nested at most 4 levels. Errors name the attribute as `attributes.<key>`.
    public static func attributes(_ value: [String: JSONValue]?, field: String = "attributes") throws(PerchError) -> [String: JSONValue]? {
        guard let value else { return nil }
        guard value.count <= attributeCountLimit else { throw .invalid(field, "at most \(attributeCountLimit) attributes") }
        for (key, item) in value {
            guard !key.isEmpty, key.utf8.count <= attributeNameMaxLength else {
                throw .invalid("\(field).\(key.prefix(attributeNameMaxLength))", "attribute names are 1–\(attributeNameMaxLength) characters")
            }
            guard depth(of: item) <= attributeValueMaxDepth else {
                throw .invalid("\(field).\(key)", "an attribute value nests at most \(attributeValueMaxDepth) levels of arrays and objects")
            }
            guard item.jsonText.utf8.count <= attributeValueMaxBytes else {
                throw .invalid("\(field).\(key)", "an attribute value is at most \(attributeValueMaxBytes) bytes as JSON")
            }
        }
        return value
    }

    /// Levels of arrays and objects in `value`: 0 for a scalar.
    static func depth(of value: JSONValue) -> Int {
        switch value {
        case .array(let items): 1 + (items.map(depth(of:)).max() ?? 0)
        case .object(let members): 1 + (members.values.map(depth(of:)).max() ?? 0)
        default: 0
        }
    }

    private static func only(_ value: String, _ allowed: CharacterSet) -> Bool {
        value.unicodeScalars.allSatisfy { allowed.contains($0) }
    }
}
