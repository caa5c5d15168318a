import Foundation
import Hummingbird
import NIOCore
import PerchCore
import PerchDelivery
import PerchHealth
import PerchStore

/// The composer, the dry run, send and cancel: each action goes through the same function as its API route —
/// ``CampaignForm`` through the API's decoding and ``CampaignRules``, the dry run through ``CampaignResolver/dryRun(_:now:)``,
/// the send through ``PerchAPI/startCampaign(appId:id:)``.
extension Dashboard {
    func addComposerRoutes(to router: Router<PerchRequestContext>) {
        router.get("/campaigns/new") { request, _ in
            try await signedIn(request) { session, app in
                var values: [String: String] = [:]
                for name in ["audience.segmentId", "audience.filter"] { values[name] = Self.parameter(request, name) }
                return Self.html(try await composer(session, app, id: nil, form: CampaignForm(FormFields(values: values))).html)
            }
        }

        router.post("/campaigns/new") { request, _ in
            try await signedInPost(request) { session, app, form in
                try await saveDraft(session, app, id: nil, form: form)
            }
        }

        router.get("/campaigns/:campaignId/edit") { request, context in
            try await signedIn(request) { session, app in
                let id = try context.parameters.require("campaignId")
                guard let campaign = try await store.campaign(appId: session.appId, id: id), campaign.kind == .campaign else {
                    return notFound("campaign", id, app, session)
                }
                guard campaign.status == .draft else { return Self.redirect(to: "/campaigns/\(Self.pathSegment(id))") }
                var page = try await composer(session, app, id: id, form: CampaignForm(campaign.definition))
                page.saved = Self.parameter(request, "saved") != nil
                return Self.html(page.html)
            }
        }

        router.post("/campaigns/:campaignId/edit") { request, context in
            try await signedInPost(request) { session, app, form in
                try await saveDraft(session, app, id: try context.parameters.require("campaignId"), form: form)
            }
        }

        // The live preview as the message is typed: the form's fields as a JSON object, answered with the preview's HTML.
        router.post("/dashboard/preview/message") { request, _ in
            try await signedInScript(request) { session, body in
                let values = try JSONBody.decode([String: String].self, from: body)
                return try JSONResponse.make(["html": try await messagePreview(appId: session.appId, form: CampaignForm(FormFields(values: values))).html])
            }
        }

        router.get("/campaigns/:campaignId/dry-run") { request, context in
            try await signedIn(request) { session, app in
                let id = try context.parameters.require("campaignId")
                guard let campaign = try await store.campaign(appId: session.appId, id: id), campaign.kind == .campaign else {
                    return notFound("campaign", id, app, session)
                }
                var page = DryRunPage(appName: app.name, campaign: campaign, dryRun: nil, problem: nil, confirming: Self.parameter(request, "send") != nil,
                                      csrfField: csrfField(session), csrf: session.csrfToken(key: signingKey))
                do {
                    page.dryRun = try await api.campaignResolver.dryRun(campaign, now: now)
                } catch let error as PerchError {
                    page.problem = error
                }
                return Self.html(page.html, status: page.problem == nil ? .ok : .badRequest)
            }
        }

        router.post("/campaigns/:campaignId/send") { request, context in
            try await signedInPost(request) { session, app, _ in
                let id = try context.parameters.require("campaignId")
                return try await campaignAction(app, session, id) { try await api.startCampaign(appId: session.appId, id: id) }
            }
        }

        router.post("/campaigns/:campaignId/cancel") { request, context in
            try await signedInPost(request) { session, app, _ in
                let id = try context.parameters.require("campaignId")
                return try await campaignAction(app, session, id) {
                    guard try await store.cancelCampaign(appId: session.appId, id: id, now: now) != nil else { throw PerchError.notFound("campaign") }
                }
            }
        }
    }

    /// Runs a send or cancel and goes to the campaign's page; a refusal (not a draft any more, already finished) is shown.
    func campaignAction(_ app: AppRecord, _ session: DashboardSession, _ id: String, _ action: () async throws -> Void) async throws -> Response {
        do {
            try await action()
        } catch let error as PerchError {
            if error.code == .notFound { return notFound("campaign", id, app, session) }
            return Self.html(DashboardLayout.page(title: "Not done", appName: app.name, section: .campaigns,
                                                  body: "<p class=\"error\" role=\"alert\" data-error=\"\(HTML.escape(error.field ?? "campaign"))\">\(HTML.escape(error.message))</p>"
                                                      + "<p><a href=\"/campaigns/\(Self.pathSegment(id))\">← The campaign</a></p>",
                                                  csrf: session.csrfToken(key: signingKey)), status: .conflict)
        }
        return Self.redirect(to: "/campaigns/\(Self.pathSegment(id))")
    }

    func composer(_ session: DashboardSession, _ app: AppRecord, id: String?, form: CampaignForm, error: PerchError? = nil) async throws -> ComposerPage {
        var stored: CampaignRecord?
        if let id { stored = try await store.campaign(appId: session.appId, id: id) }
        return ComposerPage(appName: app.name, campaignId: id, form: form, segments: try await store.segments(appId: session.appId), error: error,
                     kept: stored.map { CampaignForm.keptFields(of: $0.definition) } ?? [],
                     preview: try await messagePreview(appId: session.appId, form: form), csrfField: csrfField(session),
                     csrf: session.csrfToken(key: signingKey))
    }

    /// Saves the form as a draft by the API's rules (create, or replace the draft), then goes where the button said:
    /// back to the composer, to the dry run, or to the send's confirmation. A refused form comes back with the error.
    func saveDraft(_ session: DashboardSession, _ app: AppRecord, id: String?, form fields: FormFields) async throws -> Response {
        let form = CampaignForm(fields)
        let campaignId: String
        var stored: CampaignDefinition?
        if let id {
            guard let campaign = try await store.campaign(appId: session.appId, id: id), campaign.kind == .campaign else {
                return notFound("campaign", id, app, session)
            }
            stored = campaign.definition
        }
        do {
            // Editing keeps what the composer does not show (message fields, localizations, platform blocks, …).
            let definition = try form.definition(editing: stored)
            guard definition.trigger == nil else { throw PerchError.invalid("trigger", "the composer makes scheduled campaigns") }
            try await CampaignRules.validate(definition, appId: session.appId, kind: .campaign, resolver: api.campaignResolver)
            if let id {
                guard try await store.updateCampaign(appId: session.appId, id: id, definition: definition, now: now) != nil else {
                    return notFound("campaign", id, app, session)
                }
                campaignId = id
            } else {
                campaignId = try await store.createCampaign(appId: session.appId, definition: definition, kind: .campaign, now: now).id
            }
        } catch let error as PerchError {
            return Self.html(try await composer(session, app, id: id, form: form, error: error).html, status: error.code == .conflict ? .conflict : .badRequest)
        }
        let path = "/campaigns/\(Self.pathSegment(campaignId))"
        switch fields["action"] {
        case "dry-run": return Self.redirect(to: path + "/dry-run")
        case "send": return Self.redirect(to: path + "/dry-run?send=1")
        default: return Self.redirect(to: path + "/edit?saved=1")
        }
    }

    /// The form's message and variants rendered for a sample person per platform, from the form's audience when it names one.
    func messagePreview(appId: String, form: CampaignForm) async throws -> MessagePreview {
        var messages: [(String, PersonalisedMessage)] = []
        do {
            let base = try form.message(prefix: "message.", required: true) ?? .object([:])
            func parse(_ json: JSONValue, field: String) throws -> PersonalisedMessage {
                var buffer = ByteBuffer()
                buffer.writeString(json.jsonText)
                return try PersonalisedMessage(try JSONBody.decode(PushMessage.self, from: buffer), field: field)
            }
            messages.append(("Message", try parse(base, field: "message")))
            for index in 0..<CampaignForm.variantRows {
                guard let name = form.fields.text("variants[\(index)].name"),
                      let variant = try form.message(prefix: "variants[\(index)].message.", required: false) else { continue }
                messages.append(("Variant \(name)", try parse(variant, field: "variants[\(index)].message")))
            }
        } catch let error as PerchError {
            return MessagePreview(messages: [], problem: error, samples: [])
        }
        return MessagePreview(messages: messages, problem: nil, samples: try await samples(appId: appId, form: form))
    }

    /// One person per platform from the form's audience (a known user first, whose attributes fill the templates); an
    /// anonymous person for a platform the audience has nobody on, or when it names no audience yet.
    func samples(appId: String, form: CampaignForm) async throws -> [MessagePreview.Sample] {
        var chosen: [Platform: (installationId: String, userId: String?)] = [:]
        if case .object(let object) = try form.json(), case .object(let audienceJSON)? = object["audience"], audienceJSON.count == 1 {
            let audience = CampaignDefinition.Audience(segmentId: audienceJSON["segmentId"]?.stringValue, filter: audienceJSON["filter"]?.stringValue,
                                                       userIds: audienceJSON["userIds"]?.arrayValue?.compactMap(\.stringValue))
            switch try? await api.campaignResolver.audience(appId: appId, audience) {
            case .filter(let filter)?:
                // The preview runs as the message is typed: a few recently seen installations per platform, never the
                // whole audience.
                for platform in Platform.allCases {
                    let onPlatform = AudienceFilter.and(filter, .compare(.platform, .equal, .string(platform.rawValue)))
                    let sample = try await store.preview(appId: appId, filter: onPlatform, now: now, sampleSize: 20).sample
                    if let person = sample.first(where: { $0.userId != nil }) ?? sample.first {
                        chosen[platform] = (person.installationId, person.userId)
                    }
                }
            case let resolved?:
                // A list of people or installations: as long as the list the API takes.
                for candidate in try await store.candidates(appId: appId, audience: resolved, now: now)
                where chosen[candidate.platform] == nil || (chosen[candidate.platform]?.userId == nil && candidate.userId != nil) {
                    chosen[candidate.platform] = (candidate.installationId, candidate.userId)
                }
            case nil:
                break
            }
        }
        var samples: [MessagePreview.Sample] = []
        for platform in Platform.allCases {
            var sample = MessagePreview.Sample(platform: platform)
            if let candidate = chosen[platform] {
                sample.installationId = candidate.installationId
                sample.userId = candidate.userId
                if let userId = candidate.userId { sample.attributes = try await store.userProfile(appId: appId, userId: userId)?.attributes ?? [:] }
                if let installation = try await store.installation(appId: appId, installationId: candidate.installationId) {
                    sample.installationFields = ["locale": installation.locale, "timezone": installation.timezone, "appVersion": installation.appVersion]
                        .compactMapValues { $0 }
                }
            }
            samples.append(sample)
        }
        return samples
    }
}

extension Dashboard {
    /// Explains a campaign for an installation id or, failing that, a user id (all of their installations).
    func explain(_ campaign: CampaignRecord, lookup: String) async throws -> CampaignExplanation {
        var result = CampaignExplanation(lookup: lookup)
        let appId = campaign.appId
        var installations: [InstallationSummary] = []
        var userId: String?
        if (try? FieldRules.installationId(lookup)) != nil, let installation = try await store.installation(appId: appId, installationId: lookup) {
            installations = [installation]
            userId = installation.userId
        } else if (try? FieldRules.userId(lookup)) != nil, let profile = try await store.userProfile(appId: appId, userId: lookup) {
            installations = profile.installations
            userId = profile.userId
        }
        guard !installations.isEmpty else {
            result.message = "No installation or user \(lookup) in this app."
            return result
        }
        if campaign.resolvedAt != nil || campaign.kind != .campaign {
            for installation in installations {
                let decisions = try await store.deliveries(appId: appId, campaignId: campaign.id, installationId: installation.installationId)
                    .map(ExplainView.Decision.init)
                if decisions.isEmpty {
                    result.rows.append(.init(installationId: installation.installationId, platform: installation.platform.rawValue, verdict: "not_in_audience",
                                             explanation: "the audience did not select this installation's token"))
                }
                for decision in decisions {
                    result.rows.append(.init(installationId: installation.installationId, platform: decision.platform, verdict: decision.verdict,
                                             reason: decision.reason, explanation: decision.explanation))
                }
            }
            return result
        }
        // Not resolved yet: the send's planner, for this person only (a user's every installation is one person).
        result.planned = true
        let person = userId.map { [(installationId: installations[0].installationId, userId: Optional($0))] }
            ?? installations.map { (installationId: $0.installationId, userId: String?.none) }
        var planned: [CampaignPlanner.Planned] = []
        for one in person {
            planned += try await api.campaignResolver.plan(campaign, person: one, start: api.campaignResolver.sendStart(campaign, now: now), now: now)
        }
        let variants = campaign.definition.variants?.map(\.name) ?? []
        for installation in installations {
            guard let entry = planned.first(where: { $0.candidate.installationId == installation.installationId }) else {
                result.rows.append(.init(installationId: installation.installationId, platform: installation.platform.rawValue, verdict: "not_in_audience",
                                         explanation: "the audience does not select this installation's token"))
                continue
            }
            switch entry.decision {
            case .send(let notBefore):
                let variant = entry.variant.flatMap { variants.indices.contains($0) ? " (variant \(variants[$0]))" : nil } ?? ""
                result.rows.append(.init(installationId: installation.installationId, platform: entry.candidate.platform.rawValue, verdict: "would_send",
                                         explanation: "would be sent, not before \(HTML.time(notBefore))\(variant)"))
            case .exclude(let reason):
                result.rows.append(.init(installationId: installation.installationId, platform: entry.candidate.platform.rawValue, verdict: "would_leave_out",
                                         reason: reason.code, explanation: reason.description))
            }
        }
        return result
    }
}
