import Foundation
import PerchCore
import PerchStore

/// Rows decoded once for both dialects, from the columns the shared statements select.
extension SQLRow {
    /// A token's status from its four stored columns (status, reason, time, successor), starting at `column`.
    public func tokenStatus(from column: Int) throws -> TokenStatus {
        TokenStatus(status: try text(required: column), reason: try text(column + 1), at: try real(column + 2), successor: try text(column + 3))
    }

    /// A token's delivery address from its three stored columns (platform, environment, sealed material), starting at
    /// `column`, opened with the app's key; nil when it no longer reads as one.
    public func storedDestination(from column: Int, vault: TokenVault, appId: String) throws -> PushDestination? {
        guard let platform = Platform(rawValue: try text(required: column)) else { return nil }
        return PushDestination(platform: platform, environment: try text(column + 1).flatMap(APNsEnvironment.init(rawValue:)),
                               sealedForm: try vault.open(try blob(required: column + 2), context: appId))
    }

    /// A time stored as seconds since 1970.
    public func time(_ column: Int) throws -> Date? { try real(column).map(Date.init(timeIntervalSince1970:)) }

    /// A campaign from ``CampaignStatements/columns``. An unreadable definition (written by a newer Perch) reads as
    /// an empty one, so the campaign still lists.
    public func campaign() throws -> CampaignRecord {
        let definition = (try? JSONCoding.decoder().decode(CampaignDefinition.self, from: Data(try text(required: 3).utf8)))
            ?? CampaignDefinition(name: "(unreadable)", audience: .init(), message: PushMessage(title: "", body: ""))
        return CampaignRecord(id: try text(required: 1), appId: try text(required: 0),
                              kind: CampaignKind(rawValue: try text(required: 2)) ?? .campaign, definition: definition,
                              status: CampaignStatus(rawValue: try text(required: 4)) ?? .draft,
                              createdAt: Date(timeIntervalSince1970: try real(required: 5)),
                              updatedAt: Date(timeIntervalSince1970: try real(required: 6)), startAt: try time(7), startedAt: try time(8),
                              resolvedAt: try time(9), completedAt: try time(10), cancelledAt: try time(11))
    }

    /// An app from ``AppStatements/columns``.
    public func app() throws -> AppRecord {
        var hosts: [String] = []
        if case .array(let values)? = JSONValue(jsonText: try text(required: 5)) {
            hosts = values.compactMap(\.stringValue)
        }
        return AppRecord(id: try text(required: 0), name: try text(required: 1), bundleId: try text(2), webOrigin: try text(3),
                         vapidPublicKey: try text(required: 4), allowedEndpointHosts: hosts,
                         identityVerification: IdentityVerification(rawValue: try text(required: 6)) ?? .required,
                         createdAt: Date(timeIntervalSince1970: try real(required: 7)))
    }

    /// An installation from ``InstallationStatements/columns``.
    public func installationSummary() throws -> InstallationSummary {
        let consent = try text(7).flatMap(ConsentStatus.init(rawValue:)).map {
            ConsentRecord(status: $0, source: try text(8) ?? "", at: try time(9) ?? Date(timeIntervalSince1970: 0))
        }
        return InstallationSummary(
            installationId: try text(required: 0), platform: Platform(rawValue: try text(required: 1)) ?? .apns, userId: try text(2),
            tokenId: try text(3), tokenStatus: try text(13) == nil ? nil : try tokenStatus(from: 13),
            environment: try text(12).flatMap(APNsEnvironment.init(rawValue:)), consent: consent, appVersion: try text(4),
            locale: try text(5), timezone: try text(6), createdAt: Date(timeIntervalSince1970: try real(required: 10)),
            lastSeenAt: Date(timeIntervalSince1970: try real(required: 11)), lastTokenUpdateAt: try time(17))
    }

    /// One consent change from ``InstallationStatements/consentHistory(appId:installationId:)``; nil for a status this
    /// Perch does not know.
    public func consentRecord() throws -> ConsentRecord? {
        try ConsentStatus(rawValue: try text(required: 0)).map {
            ConsentRecord(status: $0, source: try text(required: 1), at: Date(timeIntervalSince1970: try real(required: 2)))
        }
    }
}
