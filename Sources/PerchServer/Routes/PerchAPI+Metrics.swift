import Foundation
import Hummingbird
import PerchCore
import PerchHealth
import PerchStore

extension PerchAPI {
    /// The survival checkpoints, in days after registration.
    static let survivalCheckpoints = [1, 7, 14, 30, 60, 90]

    func addMetricsRoutes(to router: Router<PerchRequestContext>) {
        router.get("/v1/metrics/tokens") { request, context in
            let appId = try context.appId(requiring: .secret)
            return try JSONResponse.make(try await store.tokenHealth(appId: appId, filter: try Self.healthFilter(request)))
        }

        router.get("/v1/metrics/tokens/growth") { request, context in
            let appId = try context.appId(requiring: .secret)
            let days = try Self.integer(request, "days", default: 30, in: 1...366)
            return try JSONResponse.make(["days": try await store.tokenGrowth(appId: appId, filter: try Self.healthFilter(request), days: days, now: now())])
        }

        router.get("/v1/metrics/tokens/survival") { request, context in
            let appId = try context.appId(requiring: .secret)
            let weeks = try Self.integer(request, "weeks", default: 12, in: 1...104)
            let cohorts = try await store.tokenSurvival(appId: appId, filter: try Self.healthFilter(request), weeks: weeks,
                                                        checkpoints: Self.survivalCheckpoints, now: now())
            return try JSONResponse.make(SurvivalView(checkpoints: Self.survivalCheckpoints, cohorts: cohorts))
        }

        router.get("/v1/metrics/opt-in") { request, context in
            let appId = try context.appId(requiring: .secret)
            let since = try Self.time(request, "since"), until = try Self.time(request, "until")
            let rows = try await store.optInBreakdown(appId: appId, filter: try Self.healthFilter(request), since: since, until: until)
            let prompted = rows.map(\.prompted).reduce(0, +), granted = rows.map(\.granted).reduce(0, +)
            return try JSONResponse.make(OptInView(prompted: prompted, granted: granted, rate: TokenHealth.ratio(granted, prompted), breakdown: rows))
        }
    }

    struct SurvivalView: Encodable {
        var checkpoints: [Int]
        var cohorts: [SurvivalCohort]
    }

    struct OptInView: Encodable {
        var prompted: Int
        var granted: Int
        var rate: Double?
        var breakdown: [OptInBreakdown]
    }

    /// `platform`, `appVersion` and `kind` (token health only) query parameters.
    static func healthFilter(_ request: Request) throws -> TokenHealth.Filter {
        var filter = TokenHealth.Filter()
        if let name = request.uri.queryParameters["platform"] {
            guard let platform = Platform(rawValue: String(name)) else {
                throw PerchError.invalid("platform", "platform must be one of apns, fcm, webpush")
            }
            filter.platform = platform
        }
        if let version = request.uri.queryParameters["appVersion"] {
            filter.appVersion = try FieldRules.appVersion(String(version))
        }
        if let name = request.uri.queryParameters["kind"] {
            guard let kind = TokenKindName(rawValue: String(name)) else {
                throw PerchError.invalid("kind", "kind must be one of device, voip, liveActivityStart, liveActivity")
            }
            filter.kind = kind
        }
        return filter
    }

    static func integer(_ request: Request, _ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int(String(text)), range.contains(number) else {
            throw PerchError.invalid(name, "\(name) is a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func time(_ request: Request, _ name: String) throws -> Date? {
        guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
        guard let date = ClientEvent.parseTime(String(text)) else { throw PerchError.invalid(name, "\(name) is an ISO 8601 time") }
        return date
    }
}
