import Foundation
import PerchCore
import PerchSQL

/// A registration made ready outside the database: its blind indexes, its sealed token and the id a new token takes,
/// so the transaction that writes it (``PostgresStore/registerTogether(_:)``) only reads and writes.
struct PendingRegistration: Sendable {
    var appId: String
    var registration: TokenRegistration
    var now: Date
    /// The blind index of the token registered, and of the token it refreshes.
    var index: Data
    var previousIndex: Data?
    var sealed: Data
    var newTokenId: String

    init(appId: String, registration: TokenRegistration, now: Date, vault: TokenVault) throws {
        let destination = registration.destination
        self.appId = appId
        self.registration = registration
        self.now = now
        index = vault.blindIndex(appId: appId, platform: destination.platform, identity: destination.identity)
        previousIndex = registration.previousToken.map { vault.blindIndex(appId: appId, platform: destination.platform, identity: $0) }
        sealed = try vault.seal(destination.sealedForm, context: appId)
        newTokenId = PostgresStore.newId("tok")
    }

    var installationId: String { registration.installationId }

    var environment: String? {
        if case .apns(_, let environment) = registration.destination { environment?.rawValue } else { nil }
    }

    /// The advisory locks a registration takes: its installation and every token identity it names. They are also what
    /// keeps two registrations out of one group.
    var lockKeys: [String] {
        [InstallationStatements.lockKey(appId, installationId), PostgresStore.tokenKey(appId, index)]
            + (previousIndex.map { [PostgresStore.tokenKey(appId, $0)] } ?? [])
    }
}
