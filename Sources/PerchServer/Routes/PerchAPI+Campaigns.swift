import Foundation
import Hummingbird
import PerchCore
import PerchHealth
import PerchStore

extension PerchAPI {
    func addCampaignRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/campaigns") { request, context in
            let appId = try context.appId(requiring: .secret)
            let definition = try await JSONBody.decode(CampaignDefinition.self, from: request).checkedAsCampaignBody()
            let kind: CampaignKind = definition.trigger == nil ? .campaign : .triggered
            try await CampaignRules.validate(definition, appId: appId, kind: kind, resolver: campaignResolver)
            let record = try await store.createCampaign(appId: appId, definition: definition, kind: kind, now: now())
            return try JSONResponse.make(CampaignView(record), status: .created)
        }

        router.get("/v1/campaigns") { _, context in
            let appId = try context.appId(requiring: .secret)
            return try JSONResponse.make(["campaigns": try await store.campaigns(appId: appId).map { CampaignView($0) }])
        }

        router.get("/v1/campaigns/:campaignId") { _, context in
            let appId = try context.appId(requiring: .secret)
            return try JSONResponse.make(try await campaignView(appId: appId, id: try context.parameters.require("campaignId")))
        }

        router.put("/v1/campaigns/:campaignId") { request, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("campaignId")
            guard let current = try await store.campaign(appId: appId, id: id) else { throw PerchError.notFound("campaign") }
            let definition = try await JSONBody.decode(CampaignDefinition.self, from: request).checkedAsCampaignBody()
            guard (definition.trigger == nil) == (current.kind != .triggered) else {
                throw PerchError.invalid("trigger", "a campaign cannot change between triggered and scheduled; create a new one")
            }
            try await CampaignRules.validate(definition, appId: appId, kind: current.kind, resolver: campaignResolver)
            guard let record = try await store.updateCampaign(appId: appId, id: id, definition: definition, now: now()) else {
                throw PerchError.notFound("campaign")
            }
            return try JSONResponse.make(CampaignView(record))
        }

        router.post("/v1/campaigns/:campaignId/send") { _, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("campaignId")
            try await startCampaign(appId: appId, id: id)
            return try JSONResponse.make(try await campaignView(appId: appId, id: id), status: .accepted)
        }

        router.post("/v1/campaigns/:campaignId/dry-run") { _, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("campaignId")
            guard let campaign = try await store.campaign(appId: appId, id: id), campaign.kind != .transactional else {
                throw PerchError.notFound("campaign")
            }
            return try JSONResponse.make(try await campaignResolver.dryRun(campaign, now: now()))
        }

        router.post("/v1/campaigns/:campaignId/cancel") { _, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("campaignId")
            guard try await store.cancelCampaign(appId: appId, id: id, now: now()) != nil else { throw PerchError.notFound("campaign") }
            return try JSONResponse.make(try await campaignView(appId: appId, id: id))
        }

        router.get("/v1/campaigns/:campaignId/report") { _, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("campaignId")
            guard let record = try await store.campaign(appId: appId, id: id) else { throw PerchError.notFound("campaign") }
            return try JSONResponse.make(CampaignReportView(record, try await store.campaignReport(of: record, now: now())))
        }

        router.get("/v1/campaigns/:campaignId/explain") { request, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("campaignId")
            let installationId = try FieldRules.installationId(request.uri.queryParameters["installationId"].map(String.init))
            guard let campaign = try await store.campaign(appId: appId, id: id) else { throw PerchError.notFound("campaign") }
            guard try await store.installation(appId: appId, installationId: installationId) != nil else {
                throw PerchError(.notFound, "installation not found", field: "installationId")
            }
            let decisions = try await store.deliveries(appId: appId, campaignId: id, installationId: installationId).map(ExplainView.Decision.init)
            let verdict: String, explanation: String
            if let latest = decisions.last {
                (verdict, explanation) = (latest.verdict, latest.explanation)
            } else if campaign.resolvedAt == nil {
                (verdict, explanation) = ("not_resolved_yet", "the audience is resolved when the campaign starts (\(campaign.status.rawValue) now)")
            } else if campaign.kind == .triggered {
                (verdict, explanation) = ("not_in_audience", "the installation has not triggered this campaign")
            } else {
                (verdict, explanation) = ("not_in_audience", "the campaign's audience did not select this installation's token when it started")
            }
            return try JSONResponse.make(ExplainView(campaignId: id, installationId: installationId, verdict: verdict, explanation: explanation,
                                                     decisions: decisions))
        }
    }

    /// Starts a draft: now, or at its `schedule.at` (the API's send and the dashboard's). `conflict` when not a draft.
    func startCampaign(appId: String, id: String) async throws {
        guard let current = try await store.campaign(appId: appId, id: id), current.kind != .transactional else {
            throw PerchError.notFound("campaign")
        }
        _ = try await store.startCampaign(appId: appId, id: id, startAt: campaignResolver.sendStart(current, now: now()), now: now())
    }

    func campaignView(appId: String, id: String) async throws -> CampaignView {
        guard let record = try await store.campaign(appId: appId, id: id) else { throw PerchError.notFound("campaign") }
        return try await campaignView(record, pausedGateways: try await store.gatewayPauses(appId: appId))
    }

    /// The view of a campaign already read, with its counts; the app's paused gateways are passed in, so a list reads them once.
    func campaignView(_ record: CampaignRecord, pausedGateways: [GatewayPause]) async throws -> CampaignView {
        let counts = try await store.campaignCounts(appId: record.appId, campaignId: record.id, now: now())
        return CampaignView(record, counts: counts, pausedGateways: pausedGateways)
    }
}
