/// A gateway configuration that cannot work: a key that does not parse, a service account missing a field, a CA
/// certificate that is not PEM. The description names the field, never its value.
public struct GatewayConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case invalidPrivateKey(String)
        case invalidServiceAccount(String)
        case invalidCACertificate
        case invalidEndpoint(String)
        case invalidSubject
    }

    private let code: Code

    /// The named private key does not parse (APNs `.p8`, FCM `private_key`, VAPID key).
    public static func invalidPrivateKey(_ field: String) -> Self { .init(code: .invalidPrivateKey(field)) }
    /// The service account JSON is unreadable or misses the named field.
    public static func invalidServiceAccount(_ field: String) -> Self { .init(code: .invalidServiceAccount(field)) }
    /// The CA certificate is not a PEM certificate.
    public static let invalidCACertificate = Self(code: .invalidCACertificate)
    /// The named endpoint is not an https URL.
    public static func invalidEndpoint(_ field: String) -> Self { .init(code: .invalidEndpoint(field)) }
    /// The VAPID subject is neither a `mailto:` nor an `https:` URI.
    public static let invalidSubject = Self(code: .invalidSubject)

    public var description: String {
        switch code {
        case .invalidPrivateKey(let field): "the private key in \(field) does not parse"
        case .invalidServiceAccount(let field): "the service account JSON is invalid: \(field)"
        case .invalidCACertificate: "caCertificate is not a PEM certificate"
        case .invalidEndpoint(let field): "\(field) must be an https URL"
        case .invalidSubject: "subject must be a mailto: or https: URI"
        }
    }
}
