import Foundation

/// What the store must write for one registration, decided without I/O from what is
/// stored now. Both store backends read the same facts, call
/// ``RegistrationPlan/make(for:installation:sameToken:previousToken:currentOfKind:newTokenId:now:)``,
/// and apply the plan in one transaction.
public struct RegistrationPlan: Sendable, Hashable {
    /// The installation as stored, if it exists.
    public struct StoredInstallation: Sendable, Hashable {
        public var userId: String?
        public var currentTokenId: String?
        public var consent: ConsentStatus?
        public init(userId: String?, currentTokenId: String?, consent: ConsentStatus?) {
            self.userId = userId
            self.currentTokenId = currentTokenId
            self.consent = consent
        }
    }

    /// A token row as stored, with its decrypted material.
    public struct StoredToken: Sendable, Hashable {
        public var id: String
        public var installationId: String?
        public var status: TokenStatus
        public var material: Data
        /// The user and consent of the installation holding the token, for carrying them over on refresh.
        public var holderUserId: String?
        public var holderConsent: ConsentStatus?
        /// When the token's own lifetime ends (Live Activity update tokens).
        public var expiresAt: Date?
        public init(id: String, installationId: String?, status: TokenStatus, material: Data,
                    holderUserId: String? = nil, holderConsent: ConsentStatus? = nil, expiresAt: Date? = nil) {
            self.id = id
            self.installationId = installationId
            self.status = status
            self.material = material
            self.holderUserId = holderUserId
            self.holderConsent = holderConsent
            self.expiresAt = expiresAt
        }
    }

    /// The token the installation holds after the registration.
    public var tokenId: String
    /// A new token row is written (201 Created).
    public var createsToken: Bool
    /// The token's material is new or changed: `lastTokenUpdateAt` moves.
    public var materialChanged: Bool
    /// The token's status after the registration.
    public var tokenStatus: TokenStatus
    /// The token was live under another installation and moves here (logged).
    public var movedFrom: String?
    /// Tokens superseded by this one: they become `replaced(successor: tokenId)`.
    public var replaces: [String]
    /// The installation row is new.
    public var createsInstallation: Bool
    /// The user the installation is bound to afterwards.
    public var userId: String?
    /// The installation was bound to another user before (logged as a move).
    public var movedFromUser: String?
    /// A consent change to record in the history.
    public var consentChange: ConsentStatus?
    /// The installation's consent afterwards.
    public var consent: ConsentStatus?
    /// The token is the installation's device token: the installation row points at it. Tokens of the other kinds
    /// leave the installation's device token as it is.
    public var isInstallationToken: Bool
    /// When the token stops being a delivery address on its own (``TokenLifecycle/expiry(of:registeredAt:)``); `nil`
    /// keeps what is stored.
    public var expiresAt: Date?

    /// Whether the installation row is written before the token row; either order leaves the same rows, and the
    /// store's rollup triggers (issue #16) keep the same totals, but not for the same work. Written first, an
    /// installation lets its new token's triggers count the token under the installation's app version at once; written
    /// after, its own triggers move the token's counts from "no version" to its version. But an installation with a
    /// user, written first, has its user's token groups recomputed by its own triggers and again by its token's, which
    /// costs more than the move (bench/registration/README.md).
    public var installationFirst: Bool { userId == nil }

    public static func make(
        for registration: TokenRegistration,
        installation: StoredInstallation?,
        sameToken: StoredToken?,
        previousToken: StoredToken?,
        currentOfKind: [String] = [],
        newTokenId: String,
        now: Date
    ) -> RegistrationPlan {
        let material = registration.destination.sealedForm
        let tokenId = sameToken?.id ?? newTokenId
        var status = TokenStatus.active
        if let sameToken {
            status = (try? TokenLifecycle.apply(.registered(at: now), to: sameToken.status).get()) ?? sameToken.status
            status = TokenLifecycle.status(status, expiresAt: sameToken.expiresAt, now: now)
        }

        // User and consent: stated now, else the installation's, else carried over from the
        // installation that held the refreshed token (a reinstall that knows its old token).
        var consent = installation?.consent
        var userId = installation?.userId
        if let previousToken, previousToken.installationId != registration.installationId {
            consent = consent ?? previousToken.holderConsent
            userId = userId ?? previousToken.holderUserId
        }
        var consentChange: ConsentStatus?
        if let stated = registration.consent, stated != consent {
            consentChange = stated
            consent = stated
        }
        if consent == .revoked, status.isLive {
            // A withdrawn consent keeps the token revoked until consent is granted again.
            status = .revoked(reason: .consentWithdrawn)
        }
        if consentChange == .granted, case .revoked(.consentWithdrawn) = status {
            status = .active
        }

        // The slot this token takes: the installation's device token, or the live token of the same kind (and activity
        // type, and activity) that the store found.
        let isDevice = registration.kind == .device
        let current: [String?] = isDevice ? [installation?.currentTokenId] : currentOfKind
        var replaces: [String] = []
        for candidate in current + [previousToken?.id] {
            guard let candidate, candidate != tokenId, !replaces.contains(candidate) else { continue }
            replaces.append(candidate)
        }
        if let previousToken, !previousToken.status.isLive { replaces.removeAll { $0 == previousToken.id } }

        var movedFromUser: String?
        if let stated = registration.userId, stated != userId {
            movedFromUser = installation?.userId
            userId = stated
        }

        let movedFrom: String?
        if let holder = sameToken?.installationId, holder != registration.installationId, sameToken?.status.isLive == true {
            movedFrom = holder
        } else {
            movedFrom = nil
        }

        return RegistrationPlan(
            tokenId: tokenId,
            createsToken: sameToken == nil,
            materialChanged: sameToken.map { $0.material != material } ?? true,
            tokenStatus: status,
            movedFrom: movedFrom,
            replaces: replaces,
            createsInstallation: installation == nil,
            userId: userId,
            movedFromUser: movedFromUser,
            consentChange: consentChange,
            consent: consent,
            isInstallationToken: isDevice,
            expiresAt: sameToken == nil ? TokenLifecycle.expiry(of: registration.kind, registeredAt: now) : nil
        )
    }
}
