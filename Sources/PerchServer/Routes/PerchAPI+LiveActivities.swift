import Foundation
import Hummingbird
import PerchCore
import PerchHealth
import PerchStore

extension PerchAPI {
    /// `POST /v1/live-activities`: a start for an audience, through its push-to-start tokens of the activity type.
    struct LiveActivityStartBody: Decodable {
        var audience: CampaignDefinition.Audience?
        var frequencyCap: FrequencyCap?
        var bypassCaps: Bool?
        var ttlSeconds: Int?
        /// The event's own fields (activityType, attributes, contentState, alert, dates, relevanceScore, priority).
        var event: LiveActivityRequest

        enum CodingKeys: String, CodingKey { case audience, frequencyCap, bypassCaps, ttlSeconds }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            audience = try container.decodeIfPresent(CampaignDefinition.Audience.self, forKey: .audience)
            frequencyCap = try container.decodeIfPresent(FrequencyCap.self, forKey: .frequencyCap)
            bypassCaps = try container.decodeIfPresent(Bool.self, forKey: .bypassCaps)
            ttlSeconds = try container.decodeIfPresent(Int.self, forKey: .ttlSeconds)
            event = try LiveActivityRequest(from: decoder)
        }
    }

    /// What a Live Activity route answers: the send (a campaign; `GET /v1/campaigns/{id}` and `/explain` read it) and
    /// how many tokens were queued, and left out per reason.
    struct LiveActivitySendView: Encodable {
        var campaignId: String
        var event: String
        var activityType: String?
        var activityId: String?
        var queued: Int
        var people: Int
        var leftOut: [String: Int]
    }

    /// One route for each Live Activity event. Every push goes through the campaign planner and the delivery queue
    /// like any other: consent always, caps as asked (a start) or bypassed (an update or end of a running activity).
    func addLiveActivityRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/live-activities") { request, context in
            let appId = try context.appId(requiring: .secret)
            let start = try await JSONBody.decode(LiveActivityStartBody.self, from: request)
            let (event, alert) = try start.event.validated(event: .start, now: now())
            guard let audience = start.audience else { throw PerchError.missing("audience") }
            let activityType = event.attributesType ?? ""
            let definition = CampaignDefinition(
                name: "Live Activity start: \(activityType)", audience: audience, message: Self.liveActivityMessage(alert),
                frequencyCap: start.frequencyCap.map { [$0] }, ttlSeconds: start.ttlSeconds, bypassCaps: start.bypassCaps,
                tokens: .liveActivityStart(activityType: activityType), liveActivity: event)
            let view = try await sendLiveActivity(definition, kind: .campaign, appId: appId)
            return try JSONResponse.make(view, status: .accepted)
        }

        for event in [LiveActivityEvent.Event.update, .end] {
            router.post("/v1/live-activities/:activityId/\(event.rawValue)") { request, context in
                let appId = try context.appId(requiring: .secret)
                let activityId = try context.parameters.identifier("activityId", rule: FieldRules.activityId)
                let asked = try await JSONBody.decode(LiveActivityRequest.self, from: request)
                let (liveActivity, alert) = try asked.validated(event: event, now: now())
                // Every update token of the activity, whoever holds it; updates of a running activity are not capped.
                let definition = CampaignDefinition(
                    name: "Live Activity \(event.rawValue): \(activityId)", audience: .init(filter: "known or anonymous"),
                    message: Self.liveActivityMessage(alert), bypassCaps: true, tokens: .liveActivity(activityId: activityId),
                    liveActivity: liveActivity)
                let view = try await sendLiveActivity(definition, kind: .transactional, appId: appId)
                if event == .end {
                    try await store.endLiveActivity(appId: appId, activityId: activityId, at: now())
                }
                return try JSONResponse.make(view, status: .accepted)
            }
        }
    }

    /// The message carrying a Live Activity push: its alert as title and body (templates work), empty without one.
    static func liveActivityMessage(_ alert: (title: String, body: String, sound: String?)?) -> PushMessage {
        PushMessage(title: alert?.title ?? "", body: alert?.body ?? "", sound: alert?.sound)
    }

    /// Checks, stores, starts and resolves a Live Activity send; answers what was queued.
    func sendLiveActivity(_ definition: CampaignDefinition, kind: CampaignKind, appId: String) async throws -> LiveActivitySendView {
        guard let gateways else { throw PerchError(.unsupported, "sending is not configured on this server") }
        guard let liveActivity = definition.liveActivity, let tokens = definition.tokens else {
            throw PerchError(.internalError, "a Live Activity send without its event")
        }
        try await CampaignRules.validate(definition, appId: appId, kind: kind, resolver: campaignResolver)
        // The payload APNs will get, with the largest ids a delivery tags it with: too large is refused now, not at send time.
        let sample = definition.message.tagged(deliveryId: "dlv_" + String(repeating: "0", count: 20), campaignId: "cmp_" + String(repeating: "0", count: 20))
        do {
            _ = try liveActivity.renderAPNs(alert: sample.liveActivityAlert, data: sample.data)
        } catch {
            throw PerchError.invalid(liveActivity.event == .start ? "attributes" : "contentState",
                                     "the Live Activity push is refused before sending: \(error)")
        }
        _ = try await gateways.route(appId: appId, platform: .apns)

        let (id, counted) = try await sends.enqueue(definition, kind: kind, appId: appId)
        let activityType: String? = if case .liveActivityStart(let type) = tokens { type } else { nil }
        let activityId: String? = if case .liveActivity(let id) = tokens { id } else { nil }
        return LiveActivitySendView(campaignId: id, event: liveActivity.event.rawValue, activityType: activityType, activityId: activityId,
                                    queued: counted.tokens, people: counted.people, leftOut: counted.leftOut)
    }
}
