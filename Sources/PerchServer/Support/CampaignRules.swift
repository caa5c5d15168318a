import Foundation
import PerchCore
import PerchDelivery
import PerchStore

/// Checks a campaign definition before it is stored, so nothing is discovered at send time that could
/// have been refused up front: a 400 naming the field for every rule.
enum CampaignRules {
    static func validate(_ definition: CampaignDefinition, appId: String, kind: CampaignKind, resolver: CampaignResolver) async throws {
        let name = definition.name.trimmingCharacters(in: .whitespaces)
        guard (1...200).contains(name.count) else { throw PerchError.invalid("name", "name is 1 to 200 characters") }

        let audience = definition.audience
        let named = [audience.segmentId != nil, audience.filter != nil, audience.userIds != nil, audience.installationIds != nil].filter { $0 }.count
        if kind == .triggered {
            guard named <= 1 else { throw PerchError.invalid("audience", "audience names at most one of segmentId, filter, userIds or installationIds") }
        } else {
            guard named == 1 else { throw PerchError.invalid("audience", "audience names exactly one of segmentId, filter, userIds or installationIds") }
        }
        if let users = audience.userIds {
            guard (1...10_000).contains(users.count) else { throw PerchError.invalid("audience.userIds", "audience.userIds holds 1 to 10000 ids") }
            for (index, user) in users.enumerated() { _ = try FieldRules.userId(user, field: "audience.userIds[\(index)]") }
        }
        if let installations = audience.installationIds {
            guard (1...10_000).contains(installations.count) else {
                throw PerchError.invalid("audience.installationIds", "audience.installationIds holds 1 to 10000 ids")
            }
            for (index, id) in installations.enumerated() { _ = try FieldRules.installationId(id, field: "audience.installationIds[\(index)]") }
        }
        if named == 1 { _ = try await resolver.audience(appId: appId, audience) }

        for (field, message) in definition.messages {
            try MessageFieldRules.validate(message, field: field)
            // The default message and each localization: templates need defaults, payloads must fit, each on its own.
            for (field, personalised) in try PersonalisedMessage(message, field: field).everyLocalization(field: field) {
                if let missing = personalised.missingDefaults.first {
                    throw PerchError.invalid(field, "{{\(missing)}} needs a default (`{{\(missing) | default: \"…\"}}`) so nobody gets an empty text")
                }
                if let problem = personalised.sizeProblem() { throw PerchError.invalid(field, "the message is refused before sending: \(problem)") }
            }
        }
        if let variants = definition.variants {
            guard (2...10).contains(variants.count) else { throw PerchError.invalid("variants", "variants holds 2 to 10 variants") }
            for (index, variant) in variants.enumerated() {
                guard !variant.name.isEmpty, variant.name.count <= 100 else { throw PerchError.invalid("variants[\(index)].name", "a variant's name is 1 to 100 characters") }
                // Bounded so the weights' sum stays finite (ten weights near Double.greatestFiniteMagnitude add up to infinity).
                guard variant.weight > 0, variant.weight <= 1_000_000 else {
                    throw PerchError.invalid("variants[\(index)].weight", "a variant's weight is a positive number up to 1000000")
                }
            }
        }
        if let holdout = definition.holdoutPercent, !(0...90).contains(holdout) {
            throw PerchError.invalid("holdoutPercent", "holdoutPercent is 0 to 90")
        }
        for (index, cap) in (definition.frequencyCap ?? []).enumerated() {
            guard cap.limit >= 1 else { throw PerchError.invalid("frequencyCap[\(index)].limit", "a cap's limit is at least 1") }
            guard (60...(90 * 86_400)).contains(cap.window.components.seconds) else {
                throw PerchError.invalid("frequencyCap[\(index)].windowSeconds", "a cap's window is 60 seconds to 90 days")
            }
        }
        if let problem = definition.schedule?.problems().first { throw PerchError.invalid(problem.field, problem.message) }
        if let ttl = definition.ttlSeconds, !(0...2_419_200).contains(ttl) {
            throw PerchError.invalid("ttlSeconds", "ttlSeconds is 0 to 2419200 (four weeks)")
        }
        if let days = definition.attributionWindowDays, !(days > 0 && days <= 30) {
            throw PerchError.invalid("attributionWindowDays", "attributionWindowDays is more than 0 and at most 30")
        }
        switch (kind, definition.trigger) {
        case (.triggered, nil): throw PerchError.missing("trigger")
        case (.triggered, let trigger?):
            guard case .custom? = EventType(rawValue: trigger.event) else {
                throw PerchError.invalid("trigger.event", "trigger.event is a custom event name")
            }
            guard (0...(30 * 86_400)).contains(trigger.delaySeconds) else {
                throw PerchError.invalid("trigger.delaySeconds", "trigger.delaySeconds is 0 to 2592000 (30 days)")
            }
            if let cancel = trigger.cancelIf, EventType(rawValue: cancel) == nil {
                throw PerchError.invalid("trigger.cancelIf", "trigger.cancelIf is an event name")
            }
            if definition.schedule?.at != nil || definition.schedule?.localTime != nil || definition.schedule?.optimized == true {
                throw PerchError.invalid("schedule", "a triggered campaign sends after its delay; it takes no schedule")
            }
        default: break
        }
    }
}
