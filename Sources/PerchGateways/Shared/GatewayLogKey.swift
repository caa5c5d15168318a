/// The metadata keys gateway log lines use. Values are never tokens, keys or secrets.
enum GatewayLogKey {
    static let platform = "perch.gateway"
    static let status = "perch.status"
    static let reason = "perch.reason"
    static let origin = "perch.origin"
}
