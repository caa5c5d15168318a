import Foundation

/// A platform-issued delivery address: what a token *is*.
public enum PushDestination: Sendable, Hashable {
    /// An APNs device token (lower-case hex) and the environment it was issued for — `nil` when the
    /// client did not say, and then a `BadDeviceToken` answer never retires it.
    case apns(token: String, environment: APNsEnvironment?)
    /// An FCM registration token.
    case fcm(token: String)
    /// A Web Push subscription.
    case webpush(WebPushSubscription)

    public var platform: Platform {
        switch self {
        case .apns: .apns
        case .fcm: .fcm
        case .webpush: .webpush
        }
    }

    /// The string that identifies the address: the token, or the subscription endpoint.
    /// This is what the blind index is computed over, so one address is one row.
    public var identity: String {
        switch self {
        case .apns(let token, _): token
        case .fcm(let token): token
        case .webpush(let subscription): subscription.endpoint.absoluteString
        }
    }

    /// The secret material to encrypt at rest, as bytes.
    public var sealedForm: Data {
        switch self {
        case .apns(let token, _), .fcm(let token):
            return Data(token.utf8)
        case .webpush(let subscription):
            let object: [String: JSONValue] = [
                "endpoint": .string(subscription.endpoint.absoluteString),
                "p256dh": .string(Base64URL.encode(subscription.p256dh)),
                "auth": .string(Base64URL.encode(subscription.auth)),
            ]
            return Data(JSONValue.object(object).jsonText.utf8)
        }
    }

    /// Rebuilds a destination from its decrypted form.
    public init?(platform: Platform, environment: APNsEnvironment?, sealedForm: Data) {
        switch platform {
        case .apns:
            self = .apns(token: String(decoding: sealedForm, as: UTF8.self), environment: environment)
        case .fcm:
            self = .fcm(token: String(decoding: sealedForm, as: UTF8.self))
        case .webpush:
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: sealedForm),
                  let endpoint = object["endpoint"]?.stringValue.flatMap(URL.init(string:)),
                  let p256dh = object["p256dh"]?.stringValue.flatMap(Base64URL.decode),
                  let auth = object["auth"]?.stringValue.flatMap(Base64URL.decode)
            else { return nil }
            self = .webpush(WebPushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth))
        }
    }
}

extension PushDestination {
    /// A Web Push destination from the strings of `PushSubscription.toJSON()`; `nil` when they are malformed.
    public static func webPush(endpoint: String, p256dh: String, auth: String) -> PushDestination? {
        guard let url = URL(string: endpoint), let key = Base64URL.decode(p256dh), let secret = Base64URL.decode(auth) else { return nil }
        return .webpush(WebPushSubscription(endpoint: url, p256dh: key, auth: secret))
    }
}

/// A browser's push subscription (the `PushSubscription.toJSON()` of the Push API).
public struct WebPushSubscription: Sendable, Hashable {
    public var endpoint: URL
    /// The user agent's uncompressed P-256 public key (65 bytes).
    public var p256dh: Data
    /// The 16-byte authentication secret.
    public var auth: Data

    public init(endpoint: URL, p256dh: Data, auth: Data) {
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
    }
}
