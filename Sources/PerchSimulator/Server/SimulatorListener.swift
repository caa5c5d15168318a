import PerchCore

/// The four listeners of a simulator; each is its own TLS port.
enum SimulatorListener: String, Sendable, CaseIterable {
    case apnsProduction
    case apnsSandbox
    case fcm
    case webPush

    /// APNs speaks HTTP/2 only, as Apple's servers do; FCM and Web Push also take HTTP/1.1.
    var applicationProtocols: [String] {
        switch self {
        case .apnsProduction, .apnsSandbox: ["h2"]
        case .fcm, .webPush: ["h2", "http/1.1"]
        }
    }

    var acceptsHTTP1: Bool { applicationProtocols.contains("http/1.1") }

    var platform: Platform {
        switch self {
        case .apnsProduction, .apnsSandbox: .apns
        case .fcm: .fcm
        case .webPush: .webpush
        }
    }
}
