/// What one platform's simulator has seen since start (or the last `resetCounters()`).
public struct SimulatorCounters: Sendable, Hashable, Codable {
    /// Push requests that reached a push endpoint (control endpoints and OAuth exchanges excluded).
    public var received = 0
    /// Push requests answered with success (APNs 200, FCM 200, Web Push 201).
    public var accepted = 0
    /// Push requests answered with a non-success status by the simulated service's own checks.
    public var rejected = 0
    /// Push requests that met an injected or planned fault (status, reset or stall).
    public var faults = 0
    /// Accepted pushes per token (APNs hex token, FCM registration token, Web Push endpoint URL).
    public var perToken: [String: Int] = [:]
    /// Accepted pushes whose (token, SHA-256 of the payload or decrypted plaintext) was accepted before.
    public var duplicates = 0
    /// Credentials seen or issued: distinct APNs provider JWTs, FCM access tokens issued, distinct VAPID JWTs.
    public var authTokens = 0

    public init() {}
}
