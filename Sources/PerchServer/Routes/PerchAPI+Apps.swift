import Crypto
import Foundation
import Hummingbird
import PerchCore
import PerchDelivery
import PerchHealth
import PerchStore

extension PerchAPI {
    struct CreateAppBody: Decodable {
        var name: String?
        var bundleId: String?
        var webOrigin: String?
    }
    struct CreatedAppView: Encodable {
        var id: String
        var name: String
        var bundleId: String?
        var webOrigin: String?
        var publishableKey: String
        var secretKey: String
        var identitySecret: String
        var identityVerification: String
        var vapidPublicKey: String
    }
    struct GatewayView: Encodable {
        var platform: String
        var configured: Bool
        var settings: [String: JSONValue]
        var updatedAt: Date
    }

    func addAppRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/apps") { request, context in
            try context.requireAdmin()
            let body = try await JSONBody.decode(CreateAppBody.self, from: request)
            guard let name = body.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { throw PerchError.missing("name") }
            guard name.count <= 128 else { throw PerchError.invalid("name", "name is at most 128 characters") }
            if let bundleId = body.bundleId, bundleId.isEmpty || bundleId.utf8.count > 255 {
                throw PerchError.invalid("bundleId", "bundleId is 1–255 characters")
            }
            if let origin = body.webOrigin {
                guard let url = URL(string: origin), ["https", "http"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty || url.path == "/" else {
                    throw PerchError.invalid("webOrigin", "webOrigin is an origin such as https://example.com")
                }
            }
            let created = try await store.createApp(name: name, bundleId: body.bundleId, webOrigin: body.webOrigin, now: now())
            let view = CreatedAppView(id: created.app.id, name: created.app.name, bundleId: created.app.bundleId, webOrigin: created.app.webOrigin,
                                      publishableKey: created.publishableKey.value, secretKey: created.secretKey.value,
                                      identitySecret: created.identitySecret.value,
                                      identityVerification: created.app.identityVerification.rawValue,
                                      vapidPublicKey: created.app.vapidPublicKey)
            return try JSONResponse.make(view, status: .created)
        }

        addKeyRoutes(to: router)

        router.put("/v1/apps/:appId/gateways/:platform") { request, context in
            guard let appId = context.parameters.get("appId") else { throw PerchError.notFound("app") }
            try context.requireApp(appId)
            guard try await store.app(id: appId) != nil else { throw PerchError.notFound("app") }
            guard let platform = context.parameters.get("platform").flatMap(Platform.init(rawValue:)) else {
                throw PerchError.notFound("gateway (use apns, fcm or webpush)")
            }
            let body = try await JSONBody.decode([String: JSONValue].self, from: request)
            let settings = try GatewaySettingsRules.validate(platform: platform, body: body, now: now(), allowedHosts: allowedGatewayHosts)
            try await store.setGateway(appId: appId, settings: settings)
            gateways?.forget(appId: appId, platform: platform)
            if platform == .webpush {
                let hosts = body["allowedEndpointHosts"].flatMap { value -> [String]? in
                    if case .array(let items) = value { return items.compactMap(\.stringValue) }
                    return nil
                } ?? []
                try await store.setAllowedEndpointHosts(appId: appId, hosts: hosts)
            }
            return try JSONResponse.make(GatewayView(platform: platform.rawValue, configured: true, settings: settings.summary,
                                                     updatedAt: settings.updatedAt))
        }
    }
}
