import Foundation
import PerchCore

extension CampaignDefinition {
    /// A campaign's body reaches device tokens with a message: which tokens (`tokens`) and a Live Activity event are
    /// set by `/v1/send` with `kind: voip` and by the `/v1/live-activities` routes, never by `POST /v1/campaigns`.
    func checkedAsCampaignBody() throws(PerchError) -> CampaignDefinition {
        if tokens != nil { throw .invalid("tokens", "campaigns reach device tokens; VoIP goes through /v1/send with kind voip") }
        if liveActivity != nil { throw .invalid("liveActivity", "Live Activities are started, updated and ended through /v1/live-activities") }
        return self
    }
}
