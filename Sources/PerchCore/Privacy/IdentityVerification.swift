/// Whether an app demands proof, from its own backend, that a client may act as the user it names.
///
/// The publishable key ships inside every copy of the app, so anyone holds it; without proof, anyone could bind their
/// own device to another person's user id and receive that person's pushes. With `required` (the default), a
/// publishable-key request that binds an installation to a user, or moves it to another user, carries `userAuth`:
/// a short-lived token the app's backend signs with the app's identity secret after its own sign-in.
public enum IdentityVerification: String, Sendable, Codable, Hashable, CaseIterable {
    /// Binding or moving an installation with the publishable key needs `userAuth` (the default).
    case required
    /// Any holder of the publishable key may bind an installation to any user id (only the secret key sets this).
    case off

    /// Whether a request that names `requestedUserId` for an installation now bound to `currentUserId` must prove it.
    ///
    /// Only the publishable key is ever asked: the secret key and the operator's CLI act for the app itself. A request
    /// that names no user, or the user the installation already has, changes no binding — so a background token
    /// refresh, which repeats the user id and holds no fresh proof, keeps its user.
    public func needsProof(keyKind: APIKey.Kind, currentUserId: String?, requestedUserId: String?) -> Bool {
        guard self == .required, keyKind == .publishable, let requestedUserId else { return false }
        return requestedUserId != currentUserId
    }
}
