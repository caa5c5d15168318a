import Foundation
import PerchCore

/// A campaign's definition with its messages' templates parsed once.
struct PreparedCampaign: Sendable {
    let definition: CampaignDefinition
    let messages: [PersonalisedMessage]

    init(_ definition: CampaignDefinition) throws {
        self.definition = definition
        messages = try [PersonalisedMessage(definition.message)] + (definition.variants ?? []).map { try PersonalisedMessage($0.message ?? definition.message) }
    }

    /// The message of a variant (variant `i` is `messages[i + 1]`), or the campaign's own.
    func message(variant: Int?) -> PersonalisedMessage {
        guard let variant, messages.indices.contains(variant + 1) else { return messages[0] }
        return messages[variant + 1]
    }
}
