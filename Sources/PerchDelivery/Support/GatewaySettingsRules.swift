import Crypto
import Foundation
import PerchCore
import PerchStore

/// Validates `PUT /v1/apps/{appId}/gateways/{platform}` bodies and splits them into the
/// sealed settings and the summary the API may show back (no private key ever).
///
/// Where the settings make Perch send is the operator's choice, not the tenant's: APNs/FCM `endpoint`s and the
/// FCM `token_uri` name the real service or a host in `allowedHosts` (`--allow-gateway-hosts`), and a
/// `caCertificate` is accepted only when every host it would be trusted for is an operator host.
public enum GatewaySettingsRules {
    public static func validate(platform: Platform, body: [String: JSONValue], now: Date,
                                allowedHosts: GatewayHostAllowList) throws -> GatewaySettings {
        var summary: [String: JSONValue] = [:]
        func string(_ key: String, required: Bool = true, in object: [String: JSONValue]? = nil, prefix: String = "") throws -> String? {
            let source = object ?? body
            guard let value = source[key] else {
                if required { throw PerchError.missing(prefix + key) }
                return nil
            }
            guard case .string(let text) = value, !text.isEmpty else { throw PerchError.invalid(prefix + key, "\(prefix + key) must be a non-empty string") }
            return text
        }
        func httpsURL(_ key: String) throws -> String? {
            guard let text = try string(key, required: false) else { return nil }
            guard let url = URL(string: text), url.scheme == "https", url.host != nil else {
                throw PerchError.invalid(key, "\(key) must be an https URL")
            }
            summary[key] = .string(text)
            return text
        }
        if let ca = try string("caCertificate", required: false) {
            guard ca.contains("-----BEGIN CERTIFICATE-----") else {
                throw PerchError.invalid("caCertificate", "caCertificate must be a PEM certificate")
            }
            summary["caCertificate"] = .string("configured")
        }
        // Perch's extension: throttling per app and gateway.
        if let rate = body["messagesPerSecond"] {
            guard let number = rate.numberValue, number >= 1, number <= 1_000_000 else {
                throw PerchError.invalid("messagesPerSecond", "messagesPerSecond must be a number from 1 to 1000000")
            }
            summary["messagesPerSecond"] = rate
        }
        switch platform {
        case .apns:
            for key in ["teamId", "keyId"] {
                let value = try string(key)!
                guard value.count == 10, value.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
                    throw PerchError.invalid(key, "\(key) is 10 characters of A–Z and 0–9")
                }
                summary[key] = .string(value)
            }
            let pem = try string("privateKey")!
            guard (try? P256.Signing.PrivateKey(pemRepresentation: pem)) != nil else {
                throw PerchError.invalid("privateKey", "privateKey must be the .p8 PEM of a P-256 key")
            }
            let topic = try string("topic")!
            summary["topic"] = .string(topic)
            let environment = try string("environment", required: false) ?? "production"
            guard APNsEnvironment(rawValue: environment) != nil else {
                throw PerchError.invalid("environment", "environment must be production or sandbox")
            }
            summary["environment"] = .string(environment)
            _ = try httpsURL("endpoint")
        case .fcm:
            guard case .object(let account)? = body["serviceAccount"] else { throw PerchError.missing("serviceAccount") }
            let projectId = try string("project_id", in: account, prefix: "serviceAccount.")!
            let email = try string("client_email", in: account, prefix: "serviceAccount.")!
            let key = try string("private_key", in: account, prefix: "serviceAccount.")!
            guard key.contains("-----BEGIN PRIVATE KEY-----") || key.contains("-----BEGIN RSA PRIVATE KEY-----") else {
                throw PerchError.invalid("serviceAccount.private_key", "private_key must be the service account's RSA key in PEM")
            }
            let tokenURI = try string("token_uri", in: account, prefix: "serviceAccount.")!
            guard let url = URL(string: tokenURI), url.scheme == "https", url.host != nil else {
                throw PerchError.invalid("serviceAccount.token_uri", "token_uri must be an https URL")
            }
            summary["projectId"] = .string(projectId)
            summary["clientEmail"] = .string(email)
            summary["tokenURI"] = .string(tokenURI)
            _ = try httpsURL("endpoint")
        case .webpush:
            let subject = try string("subject")!
            guard subject.hasPrefix("mailto:") || subject.hasPrefix("https://") else {
                throw PerchError.invalid("subject", "subject must be a mailto: or https: URL")
            }
            summary["subject"] = .string(subject)
            if let key = try string("vapidPrivateKey", required: false) {
                guard let raw = Base64URL.decode(key), raw.count == 32, (try? P256.Signing.PrivateKey(rawRepresentation: raw)) != nil else {
                    throw PerchError.invalid("vapidPrivateKey", "vapidPrivateKey must be base64url of a 32-byte P-256 private key")
                }
            }
            if let hosts = body["allowedEndpointHosts"] {
                guard case .array(let items) = hosts, items.count <= 100 else {
                    throw PerchError.invalid("allowedEndpointHosts", "allowedEndpointHosts must be an array of at most 100 host names")
                }
                for (index, item) in items.enumerated() {
                    guard let host = item.stringValue, !host.isEmpty, host.utf8.count <= 253, !host.contains("/"), !host.contains(":") || IPAddress(host) != nil else {
                        throw PerchError.invalid("allowedEndpointHosts[\(index)]", "each allowed host is a host name or an IP address, no scheme or port")
                    }
                }
                summary["allowedEndpointHosts"] = hosts
            }
        }
        try checkDestinations(platform: platform, body: body, allowedHosts: allowedHosts)
        return GatewaySettings(platform: platform, settings: .object(body), summary: summary, updatedAt: now)
    }

    /// Checks where already well-formed settings send. Also run on stored settings each time a gateway is built, so
    /// settings saved under a wider operator list (or before it existed) stop working when the list narrows.
    public static func checkDestinations(platform: Platform, body: [String: JSONValue], allowedHosts: GatewayHostAllowList) throws(PerchError) {
        let hasCA = body["caCertificate"].map { $0 != .null } ?? false
        switch platform {
        case .apns:
            var onOperatorHost = false
            if let endpoint = body["endpoint"]?.stringValue {
                onOperatorHost = try allowedHosts.check(endpoint, as: .apnsEndpoint, field: "endpoint")
            }
            // Kept from `perch simulate`'s credentials; held to the same rule so no stored URL escapes it.
            if let sandbox = body["sandboxEndpoint"]?.stringValue {
                try allowedHosts.check(sandbox, as: .apnsEndpoint, field: "sandboxEndpoint")
            }
            if hasCA, !onOperatorHost {
                throw PerchError(.forbiddenEndpoint, "a caCertificate is accepted only with an endpoint on a host the operator allows (--allow-gateway-hosts)",
                                 field: "caCertificate")
            }
        case .fcm:
            var onOperatorHosts = false
            if let endpoint = body["endpoint"]?.stringValue {
                onOperatorHosts = try allowedHosts.check(endpoint, as: .fcmEndpoint, field: "endpoint")
            }
            if case .object(let account)? = body["serviceAccount"], let tokenURI = account["token_uri"]?.stringValue {
                let tokenOnOperatorHost = try allowedHosts.check(tokenURI, as: .fcmTokenURI, field: "serviceAccount.token_uri")
                onOperatorHosts = onOperatorHosts && tokenOnOperatorHost
            } else {
                onOperatorHosts = false  // Google's default token_uri
            }
            if hasCA, !onOperatorHosts {
                throw PerchError(.forbiddenEndpoint,
                                 "a caCertificate is accepted only when endpoint and serviceAccount.token_uri are on hosts the operator allows (--allow-gateway-hosts)",
                                 field: "caCertificate")
            }
        case .webpush:
            guard hasCA else { return }
            // The CA replaces the system roots for every endpoint this app sends to, so the app must send only to
            // operator hosts: its allowedEndpointHosts must list them and nothing else.
            let hosts: [String] = if case .array(let items)? = body["allowedEndpointHosts"] { items.compactMap(\.stringValue) } else { [] }
            guard !hosts.isEmpty, hosts.allSatisfy({ allowedHosts.allowsSomePort(of: $0) }) else {
                throw PerchError(.forbiddenEndpoint,
                                 "a caCertificate is accepted only when allowedEndpointHosts lists hosts the operator allows (--allow-gateway-hosts) and no others",
                                 field: "caCertificate")
            }
        }
    }
}
