import Foundation

extension TokenLifecycle {
    /// A gateway's word that a stored token is dead (APNs 410, FCM `UNREGISTERED`, Web Push 404/410), applied to it:
    /// the status to write, or `nil` when the token keeps the one it has.
    ///
    /// APNs dates its 410 (`unlessSeenAfter`): the token stopped being valid at that time, so a registration seen
    /// after it is the device proving the token works again, and the verdict is older than that proof — the same
    /// reason ``apply(_:to:)`` lets a registration newer than a rejection revive an invalid token. A token that has
    /// already left the live states (invalid, revoked, replaced, expired) keeps its status and its reason.
    public static func retirement(of status: TokenStatus, lastSeenAt: Date, reason: String, at: Date,
                                  unlessSeenAfter: Date?) -> TokenStatus? {
        if let unlessSeenAfter, lastSeenAt > unlessSeenAfter { return nil }
        guard case .success(let next) = apply(.gatewayRejected(reason: reason, at: at), to: status), next.name != status.name else { return nil }
        return next
    }
}
