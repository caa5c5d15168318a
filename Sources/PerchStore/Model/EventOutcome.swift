import PerchCore

/// The per-item answer of `POST /v1/events`.
public enum EventOutcome: Sendable, Hashable {
    case stored(id: String)
    case rejected(PerchError)
}
