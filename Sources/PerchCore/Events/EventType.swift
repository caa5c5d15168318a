/// The kind of a client or server fact. Funnel words are exact: `received` is a client
/// receipt (delivered), never a gateway's acceptance.
public enum EventType: Sendable, Hashable, RawRepresentable, Codable {
    case promptShown
    case permissionGranted
    case permissionDenied
    case permissionRevoked
    case received
    case opened
    case converted
    /// A name of the customer's own (`cart_abandoned`, `purchase`).
    case custom(String)

    public init?(rawValue: String) {
        switch rawValue {
        case "prompt_shown": self = .promptShown
        case "permission_granted": self = .permissionGranted
        case "permission_denied": self = .permissionDenied
        case "permission_revoked": self = .permissionRevoked
        case "received": self = .received
        case "opened": self = .opened
        case "converted": self = .converted
        default:
            guard EventType.isCustomName(rawValue) else { return nil }
            self = .custom(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .promptShown: "prompt_shown"
        case .permissionGranted: "permission_granted"
        case .permissionDenied: "permission_denied"
        case .permissionRevoked: "permission_revoked"
        case .received: "received"
        case .opened: "opened"
        case .converted: "converted"
        case .custom(let name): name
        }
    }

    /// Custom names: 1–64 characters of `a–z A–Z 0–9 _ . : -`, starting with a letter.
    public static func isCustomName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII,
              (1...64).contains(name.utf8.count)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.:-".unicodeScalars.contains($0)) }
    }
}
