import PerchCore

/// The four listeners of a simulator; each is its own TLS port.
enum SimulatorListener: String, Sendable, CaseIterable {
    case apnsProduction
    case apnsSandbox
    case fcm
    case webPush

    var platform: Platform {
        switch self {
        case .apnsProduction, .apnsSandbox: .apns
        case .fcm: .fcm
        case .webPush: .webpush
        }
    }
}
