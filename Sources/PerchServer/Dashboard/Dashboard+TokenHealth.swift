import Foundation
import Hummingbird
import PerchCore
import PerchStore

extension Dashboard {
    func addTokenHealthRoutes(to router: Router<PerchRequestContext>) {
        router.get("/") { request, _ in
            try await signedIn(request) { session, app in
                let filter: TokenHealthPage.Filter
                do {
                    filter = try Self.tokenHealthFilter(request)
                } catch let error as PerchError {
                    return Self.html(DashboardLayout.page(title: "Token health", appName: app.name, section: .tokens,
                                                          body: "<p class=\"error\" role=\"alert\">\(HTML.escape(error.message))</p>"
                                                              + "<p><a href=\"/\">Show all tokens</a></p>", csrf: session.csrfToken(key: signingKey)),
                                     status: .badRequest)
                }
                let appId = session.appId, now = self.now
                // The same store calls, with the same arguments, as the API routes named in each section.
                let health = try await store.tokenHealth(appId: appId, filter: filter.health)
                let growth = try await store.tokenGrowth(appId: appId, filter: filter.health, days: filter.days, now: now)
                let survival = try await store.tokenSurvival(appId: appId, filter: filter.health, weeks: filter.weeks,
                                                             checkpoints: PerchAPI.survivalCheckpoints, now: now)
                let since = HTML.calendar.startOfDay(for: now.addingTimeInterval(-Double(filter.days) * 86_400))
                let optIn = try await store.optInBreakdown(appId: appId, filter: filter.health, since: since, until: nil)
                let page = TokenHealthPage(appName: app.name, filter: filter, health: health, growth: growth, checkpoints: PerchAPI.survivalCheckpoints,
                                           survival: survival, optInSince: since, optIn: optIn,
                                           identityVerification: app.identityVerification, csrf: session.csrfToken(key: signingKey))
                return Self.html(page.html)
            }
        }
    }

    /// `platform` and `appVersion` read exactly as the API reads them, and `days` (one of the offered periods).
    static func tokenHealthFilter(_ request: Request) throws -> TokenHealthPage.Filter {
        var filter = TokenHealthPage.Filter()
        if let name = parameter(request, "platform") {
            guard let platform = Platform(rawValue: name) else { throw PerchError.invalid("platform", "platform must be one of apns, fcm, webpush") }
            filter.platform = platform
        }
        if let version = parameter(request, "appVersion") {
            filter.appVersion = try FieldRules.appVersion(version)
        }
        if let text = parameter(request, "days") {
            guard let days = Int(text), TokenHealthPage.Filter.periods.contains(days) else {
                throw PerchError.invalid("days", "days is one of \(TokenHealthPage.Filter.periods.map(String.init).joined(separator: ", "))")
            }
            filter.days = days
        }
        return filter
    }
}
