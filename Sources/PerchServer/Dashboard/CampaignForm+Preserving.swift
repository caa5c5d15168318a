import Foundation
import PerchCore

extension CampaignForm {
    /// The definition the form describes when it edits `stored`: what the composer shows comes from the form, and what
    /// it does not show is kept as stored — a message's `badge`, `interruptionLevel`, `relevanceScore`, `threadId`,
    /// `collapseId`, `channelId`, `urgency`, `topic`, `actions`, `requireInteraction`, `localizations` and its `apns`,
    /// `fcm` and `webpush` blocks; the variants and frequency caps past the composer's rows; `audience.installationIds`
    /// when the form names no other audience; `includeStale`, `bypassCaps`, `attributionWindowDays`, `trigger`,
    /// `tokens` and `liveActivity`. Saving a campaign made through the API from the dashboard changes only what was
    /// edited.
    func definition(editing stored: CampaignDefinition?) throws -> CampaignDefinition {
        var definition = try definition()
        guard let stored else { return definition }
        definition.message = Self.shown(definition.message, over: stored.message)
        if var variants = definition.variants {
            let storedVariants = stored.variants ?? []
            for index in variants.indices where index < storedVariants.count {
                guard let kept = storedVariants[index].message else { continue }
                variants[index].message = variants[index].message.map { Self.shown($0, over: kept) }
            }
            if storedVariants.count > Self.variantRows { variants += storedVariants[Self.variantRows...] }
            definition.variants = variants
        }
        if let caps = stored.frequencyCap, caps.count > Self.capRows {
            definition.frequencyCap = (definition.frequencyCap ?? []) + caps[Self.capRows...]
        }
        let audience = definition.audience
        if audience.segmentId == nil, audience.filter == nil, audience.userIds == nil {
            definition.audience.installationIds = stored.audience.installationIds
        }
        definition.includeStale = stored.includeStale
        definition.bypassCaps = stored.bypassCaps
        definition.attributionWindowDays = stored.attributionWindowDays
        definition.trigger = stored.trigger
        definition.tokens = stored.tokens
        definition.liveActivity = stored.liveActivity
        return definition
    }

    /// `stored` with the fields the composer shows (title, body, url, image, sound, data) taken from `form`.
    static func shown(_ form: PushMessage, over stored: PushMessage) -> PushMessage {
        var message = stored
        message.title = form.title
        message.body = form.body
        message.url = form.url
        message.image = form.image
        message.sound = form.sound
        message.data = form.data
        return message
    }

    /// The names of what a stored definition holds that the composer does not show, for the page to say they are kept.
    static func keptFields(of stored: CampaignDefinition) -> [String] {
        var kept: [String] = []
        func message(_ message: PushMessage, _ prefix: String) {
            let present: [(String, Bool)] = [
                ("badge", message.badge != nil), ("interruptionLevel", message.interruptionLevel != nil),
                ("relevanceScore", message.relevanceScore != nil), ("threadId", message.threadId != nil),
                ("collapseId", message.collapseId != nil), ("channelId", message.channelId != nil), ("urgency", message.urgency != nil),
                ("topic", message.topic != nil), ("actions", message.actions != nil), ("requireInteraction", message.requireInteraction != nil),
                ("localizations", message.localizations != nil), ("apns", message.apns != nil), ("fcm", message.fcm != nil),
                ("webpush", message.webpush != nil),
            ]
            kept += present.filter(\.1).map { prefix + $0.0 }
        }
        message(stored.message, "message.")
        for (index, variant) in (stored.variants ?? []).enumerated() {
            if index >= variantRows { kept.append("variants[\(index)]") } else if let variantMessage = variant.message {
                message(variantMessage, "variants[\(index)].message.")
            }
        }
        if let caps = stored.frequencyCap, caps.count > capRows { kept += (capRows..<caps.count).map { "frequencyCap[\($0)]" } }
        if stored.audience.installationIds != nil { kept.append("audience.installationIds") }
        let definitionFields: [(String, Bool)] = [
            ("includeStale", stored.includeStale != nil), ("bypassCaps", stored.bypassCaps != nil),
            ("attributionWindowDays", stored.attributionWindowDays != nil), ("trigger", stored.trigger != nil),
        ]
        kept += definitionFields.filter(\.1).map(\.0)
        return kept
    }
}
