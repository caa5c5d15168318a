import Foundation
import Hummingbird
import PerchCore
import PerchStore

extension PerchAPI {
    struct SendBody: Decodable {
        struct Target: Decodable {
            var installationId: String?
            var userId: String?
        }
        var to: Target?
        var message: PushMessage?
        var ttlSeconds: Int?
        /// Accepted for the contract; this first cut sends at once and applies no caps.
        var bypassCaps: Bool?
    }
    struct SendView: Encodable {
        var results: [DirectSend.Result]
    }

    func addSendRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/send") { request, context in
            let appId = try context.appId(requiring: .secret)
            guard let sender else { throw PerchError(.unsupported, "sending is not configured on this server") }
            let body = try await JSONBody.decode(SendBody.self, from: request)
            guard let target = body.to else { throw PerchError.missing("to") }
            guard let message = body.message else { throw PerchError.missing("message") }
            if let ttl = body.ttlSeconds, !(0...2_419_200).contains(ttl) {
                throw PerchError.invalid("ttlSeconds", "ttlSeconds is 0 to 2419200 (four weeks)")
            }
            let installations: [String]
            switch (target.installationId, target.userId) {
            case (let installation?, nil):
                installations = [try FieldRules.installationId(installation, field: "to.installationId")]
            case (nil, let user?):
                let userId = try FieldRules.userId(user, field: "to.userId")
                guard let profile = try await store.userProfile(appId: appId, userId: userId) else {
                    throw PerchError(.notFound, "user not found", field: "to.userId")
                }
                installations = profile.installations.map(\.installationId)
            default:
                throw PerchError.invalid("to", "to names exactly one of installationId or userId")
            }
            var results: [DirectSend.Result] = []
            for installation in installations {
                results.append(try await sender.send(message, appId: appId, installationId: installation, timeToLive: body.ttlSeconds,
                                                     logger: context.logger))
            }
            return try JSONResponse.make(SendView(results: results))
        }
    }
}
