/// What the endpoint check decided for one Web Push send, just before it: connect, and where to.
public enum WebPushEndpointClearance: Sendable, Hashable {
    /// Connect as the URL says: a host the operator vouches for (a loopback simulator, a private relay).
    case connect
    /// Connect to exactly this address (the one that was checked), while TLS (SNI, certificate) and `Host` use the
    /// URL's name: a host resolved again at connect time could answer differently (DNS rebinding).
    case connectPinned(address: String)
    /// Never contact this endpoint: a message error with the detail, the subscription is kept.
    case refused(detail: String)
    /// The host could not be resolved now (timeout, resolver failure): retry later.
    case unresolved(detail: String)
}
