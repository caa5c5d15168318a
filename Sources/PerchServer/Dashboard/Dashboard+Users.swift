import Foundation
import Hummingbird
import PerchCore
import PerchStore

extension Dashboard {
    func addUserRoutes(to router: Router<PerchRequestContext>) {
        router.get("/users") { request, _ in
            try await signedIn(request) { session, app in
                let userId = Self.parameter(request, "userId"), installationId = Self.parameter(request, "installationId")
                var page = UserLookupPage(appName: app.name, userId: userId, installationId: installationId, user: nil, installations: [],
                                          deliveries: [], message: nil, csrf: session.csrfToken(key: signingKey))
                do {
                    try await lookUp(appId: session.appId, into: &page)
                } catch let error as PerchError {
                    page.message = error.message
                    return Self.html(page.html, status: error.code == .notFound ? .notFound : .badRequest)
                }
                return Self.html(page.html)
            }
        }
    }

    /// Fills the page with what the API answers for the user or installation asked for.
    func lookUp(appId: String, into page: inout UserLookupPage) async throws {
        var installationIds: [String] = []
        if let text = page.userId {
            let userId = try FieldRules.userId(text)
            guard let profile = try await store.userProfile(appId: appId, userId: userId) else {
                throw PerchError(.notFound, "No user \(userId) in this app.")
            }
            page.user = (UserView(profile), "/v1/users/" + Self.pathSegment(userId))
            installationIds = profile.installations.map(\.installationId)
        } else if let text = page.installationId {
            let installationId = try FieldRules.installationId(text)
            guard try await store.installation(appId: appId, installationId: installationId) != nil else {
                throw PerchError(.notFound, "No installation \(installationId) in this app.")
            }
            installationIds = [installationId]
        } else {
            page.message = "Look a person up by your own user id, or one device by its installation id."
            return
        }
        let names = Dictionary(try await store.campaigns(appId: appId).map { ($0.id, $0.definition.name) }) { first, _ in first }
        for installationId in installationIds {
            page.installations.append(.init(view: try await api.installationView(appId: appId, installationId: installationId, withHistory: true),
                                            api: "/v1/installations/" + Self.pathSegment(installationId)))
            // One read of the installation's deliveries across campaigns, then one explanation per campaign, newest first.
            let records = try await store.deliveries(appId: appId, campaignId: nil, installationId: installationId)
            // Each group is non-empty and oldest first (the store's order), so its first row dates the campaign's.
            let newestFirst = Dictionary(grouping: records, by: \.campaignId).sorted { $0.value[0].createdAt > $1.value[0].createdAt }
            for (campaignId, rows) in newestFirst {
                let decisions = rows.map(ExplainView.Decision.init)
                guard let latest = decisions.last else { continue }
                page.deliveries.append(.init(campaignId: campaignId, campaignName: names[campaignId] ?? campaignId, installationId: installationId,
                                             explain: ExplainView(campaignId: campaignId, installationId: installationId, verdict: latest.verdict,
                                                                  explanation: latest.explanation, decisions: decisions)))
            }
        }
    }

    /// An identifier as one percent-encoded path segment.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}
