/// Where a send to a raw token (`POST /api/push`, `perch send --token`) goes: the installation it belongs to, or why
/// it is not sent.
public enum RawTokenTarget: Sendable, Equatable {
    /// Sent through this installation. `registeredNow`: the token was unknown and the send registered it.
    case installation(id: String, registeredNow: Bool)
    /// Not sent: the token belongs to no installation (`no_installation`), or a newer token replaced it (`token_replaced`).
    case suppressed(reason: String, detail: String)
}
