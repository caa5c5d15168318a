import Foundation
import Hummingbird
import PerchCore
import PerchStore

extension Dashboard {
    func addCampaignRoutes(to router: Router<PerchRequestContext>) {
        router.get("/campaigns") { request, _ in
            try await signedIn(request) { session, app in
                var views: [CampaignView] = []
                let pauses = try await store.gatewayPauses(appId: session.appId)
                for record in try await store.campaigns(appId: session.appId).sorted(by: { $0.createdAt > $1.createdAt }) {
                    views.append(try await api.campaignView(record, pausedGateways: pauses))
                }
                return Self.html(CampaignListPage(appName: app.name, campaigns: views, csrf: session.csrfToken(key: signingKey)).html)
            }
        }

        router.get("/campaigns/:campaignId") { request, context in
            try await signedIn(request) { session, app in
                let id = try context.parameters.require("campaignId")
                guard let record = try await store.campaign(appId: session.appId, id: id) else {
                    return Self.html(DashboardLayout.page(title: "Campaign not found", appName: app.name, section: .campaigns,
                                                          body: "<p class=\"error\">This app has no campaign \(HTML.escape(id)).</p>"
                                                              + "<p><a href=\"/campaigns\">← Campaigns</a></p>",
                                                          csrf: session.csrfToken(key: signingKey)), status: .notFound)
                }
                let report = try await store.campaignReport(of: record, now: now)
                var page = CampaignReportPage(appName: app.name, report: CampaignReportView(record, report))
                page.csrf = session.csrfToken(key: signingKey)
                let view = CampaignView(record, counts: report.counts)
                var explanation = CampaignExplanation(lookup: "")
                if let lookup = Self.parameter(request, "explain") { explanation = try await explain(record, lookup: lookup) }
                page.controls = CampaignControls(campaign: view, csrfField: csrfField(session)).html + explanation.html
                return Self.html(page.html)
            }
        }
    }
}
