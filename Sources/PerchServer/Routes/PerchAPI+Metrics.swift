import Foundation
import Hummingbird
import PerchCore
import PerchStore

extension PerchAPI {
    func addMetricsRoutes(to router: Router<PerchRequestContext>) {
        router.get("/v1/metrics/tokens") { request, context in
            let appId = try context.appId(requiring: .secret)
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
            return try JSONResponse.make(try await store.tokenHealth(appId: appId, filter: filter))
        }
    }
}
