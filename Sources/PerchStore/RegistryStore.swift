import Foundation
import PerchCore

/// Apps, their keys and their gateway credentials.
public protocol AppStore: Sendable {
    /// Creates an app with fresh keys and a fresh VAPID key pair.
    func createApp(name: String, bundleId: String?, webOrigin: String?, now: Date) async throws -> CreatedApp
    func app(id: String) async throws -> AppRecord?
    func apps() async throws -> [AppRecord]
    /// What the key whose digest is `digest` grants at `now`: nothing for an unknown key or one whose grace period ended.
    func keyGrant(forDigest digest: String, now: Date) async throws -> KeyGrant?
    /// Issues a new publishable and secret key; the current ones keep working for `graceSeconds` (earlier-rotated ones
    /// end no later than that), and every dashboard session of the app ends. `nil` when the app is unknown.
    func rotateKeys(appId: String, graceSeconds: Int, now: Date) async throws -> RotatedKeys?
    /// Issues a new identity secret; the current ones keep verifying `userAuth` for `graceSeconds`. `nil` when the app is unknown.
    func rotateIdentitySecret(appId: String, graceSeconds: Int, now: Date) async throws -> IdentitySecret?
    /// The identity secrets that verify `userAuth` at `now`, newest first.
    func identitySecrets(appId: String, now: Date) async throws -> [IdentitySecret]
    /// Sets whether the app's publishable key must prove the users it binds; answers the app, `nil` when unknown.
    func setIdentityVerification(appId: String, _ verification: IdentityVerification) async throws -> AppRecord?
    /// Records a signed-in dashboard session (and forgets the app's sessions that have expired).
    func openDashboardSession(_ session: DashboardSessionRecord, now: Date) async throws
    /// Whether the session is open at `now`: recorded, not expired, not signed out, not ended by a key rotation.
    func isDashboardSessionOpen(idDigest: String, now: Date) async throws -> Bool
    /// Signs a session out.
    func closeDashboardSession(idDigest: String) async throws
    /// Stores a gateway's settings, sealed; Web Push settings may also change the allowed endpoint hosts.
    func setGateway(appId: String, settings: GatewaySettings) async throws
    func gateway(appId: String, platform: Platform) async throws -> GatewaySettings?
    /// The app's VAPID private key (32 raw bytes).
    func vapidPrivateKey(appId: String) async throws -> Data
    func setAllowedEndpointHosts(appId: String, hosts: [String]) async throws
}

extension AppStore {
    /// The app and key kind the key whose digest is `digest` belongs to at `now`, if it still works.
    public func principal(forKeyDigest digest: String, now: Date = Date()) async throws -> Principal? {
        try await keyGrant(forDigest: digest, now: now)?.principal
    }
}

/// Installations, tokens, users and consent: the registry.
public protocol RegistryStore: Sendable {
    func register(appId: String, _ registration: TokenRegistration, now: Date) async throws -> RegistrationResult
    /// Unregisters: the installation's token becomes `revoked(unregistered)`. `false` when unknown.
    func unregister(appId: String, installationId: String, now: Date) async throws -> Bool
    func setConsent(appId: String, installationId: String, record: ConsentRecord) async throws -> InstallationSummary?
    /// Binds the installation to `userId`; returns the summary and the user it was bound to before.
    func identify(appId: String, installationId: String, userId: String, now: Date) async throws -> (InstallationSummary, previousUserId: String?)?
    func logout(appId: String, installationId: String, now: Date) async throws -> (InstallationSummary, previousUserId: String?)?
    func installation(appId: String, installationId: String) async throws -> InstallationSummary?
    func consentHistory(appId: String, installationId: String) async throws -> [ConsentRecord]
    /// Merges attributes into the user (a `null` value removes the key); creates the user when new.
    func setUserAttributes(appId: String, userId: String, attributes: [String: JSONValue], now: Date) async throws -> UserProfile
    func userProfile(appId: String, userId: String) async throws -> UserProfile?
    func exportUser(appId: String, userId: String) async throws -> UserExport?
    /// Erases every trace of the user: installations, tokens, consent history, events, log. `false` when unknown.
    func eraseUser(appId: String, userId: String) async throws -> Bool
    /// The id of the stored token with this identity, if the registry knows it.
    func tokenId(appId: String, destination: PushDestination) async throws -> String?
    /// The installation's current live token, decrypted, for a send.
    func currentDestination(appId: String, installationId: String) async throws -> (tokenId: String, destination: PushDestination, status: TokenStatus)?
    /// Applies a gateway's verdict that the token is dead. With `unlessSeenAfter` (APNs 410's
    /// timestamp), a token registered after that moment is kept. Answers whether it was retired.
    @discardableResult
    func retireToken(appId: String, tokenId: String, reason: String, at: Date, unlessSeenAfter: Date?) async throws -> Bool
    /// The Live Activity ended at `at`: its update tokens expire (``TokenLifecycle/expiry(afterActivityEndedAt:)``), and
    /// hygiene retires them.
    func endLiveActivity(appId: String, activityId: String, at: Date) async throws
}

/// Client and server events.
public protocol EventStore: Sendable {
    /// Stores a batch; each item is answered on its own.
    func record(appId: String, events: [ClientEvent], now: Date) async throws -> [EventOutcome]
}

/// Hygiene and token-health reads.
public protocol HealthStore: Sendable {
    /// Marks unseen tokens stale and expired in every app; `dryRun` only counts.
    func runHygiene(policy: HygienePolicy, now: Date, dryRun: Bool) async throws -> HygieneReport
    func tokenHealth(appId: String, filter: TokenHealth.Filter) async throws -> TokenHealth
}

/// The registry part of the store, which every backend implements (SQLite and PostgreSQL) and the
/// conformance suite runs against.
public typealias RegistryBackend = AppStore & RegistryStore & EventStore & HealthStore & AudienceStore

/// Everything Perch stores: the registry plus imports/exports, campaigns with their delivery queue,
/// analytics, and the leases and send windows that coordinate several processes. SQLite and PostgreSQL
/// implement all of it.
public typealias PerchStore = RegistryBackend & TokenTransferStore & CampaignStore & AnalyticsStore & CoordinationStore & OperationsStore
    & IdempotencyStore & CampaignReportStore & RollupStore
