import Foundation
import PerchCore

/// Moving tokens in and out of Perch in bulk (`perch export`), and finding the installation that
/// holds a token (the gorush-compatible API sends to raw tokens).
public protocol TokenTransferStore: Sendable {
    /// The installation the token belongs to, if any.
    func installationId(appId: String, tokenId: String) async throws -> String?
    /// One page of the app's installations with their current device token and every VoIP and Live Activity token,
    /// decrypted, ordered by installation id and token id and starting after `cursor` (``ExportedToken/exportCursor``);
    /// an empty page ends the walk. With `liveOnly`, tokens that are `invalid`, `revoked`, `replaced` or `expired` are skipped.
    func exportPage(appId: String, after cursor: String?, limit: Int, liveOnly: Bool) async throws -> [ExportedToken]
}
