import Foundation

/// Consent to receive push messages, per installation.
public enum ConsentStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case granted
    case denied
    case revoked

    /// Only an installation whose latest consent is `granted` may ever be sent to.
    public var allowsSending: Bool { self == .granted }
}
