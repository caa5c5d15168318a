import Foundation
import PerchCore

/// Resolving audience filters against stored tokens.
public protocol AudienceStore: Sendable {
    /// The ids of the app's tokens that the filter selects at `now`, in no particular order.
    func tokenIds(appId: String, matching filter: AudienceFilter, now: Date) async throws -> [String]
    /// How many tokens the filter selects, and a sample of their installations (for segment previews).
    func preview(appId: String, filter: AudienceFilter, now: Date, sampleSize: Int) async throws -> (count: Int, sample: [InstallationSummary])
    /// How many installations (each with its current token) and people the filter selects at `now`, counted in the store
    /// (`POST /v1/segments/preview`, the dashboard's live count).
    func audienceSize(appId: String, filter: AudienceFilter, now: Date) async throws -> AudienceSize
}
