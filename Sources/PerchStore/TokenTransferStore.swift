import Foundation
import PerchCore

/// Moving tokens in and out of Perch in bulk (`perch export`), and finding the installation that
/// holds a token (the gorush-compatible API sends to raw tokens).
public protocol TokenTransferStore: Sendable {
    /// The installation the token belongs to, if any.
    func installationId(appId: String, tokenId: String) async throws -> String?
    /// One page of the app's installations with their current token, decrypted, ordered by
    /// installation id and starting after `cursor` (an installation id); an empty page ends the walk.
    /// With `liveOnly`, installations whose token is `invalid`, `revoked`, `replaced` or `expired` are skipped.
    func exportPage(appId: String, after cursor: String?, limit: Int, liveOnly: Bool) async throws -> [ExportedToken]
}
