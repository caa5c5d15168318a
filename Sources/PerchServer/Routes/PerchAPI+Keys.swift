import Foundation
import Hummingbird
import NIOCore
import PerchCore
import PerchHealth
import PerchStore

/// An app's settings and the rotation of its keys and identity secret: the secret key's (or the admin's) business.
extension PerchAPI {
    struct RotationBody: Decodable {
        var graceSeconds: Double?
    }
    struct RotatedKeysView: Encodable {
        var publishableKey: String
        var secretKey: String
        /// When the replaced keys stop working.
        var previousKeysExpireAt: Date
    }
    struct RotatedIdentitySecretView: Encodable {
        var identitySecret: String
        var previousSecretsExpireAt: Date
    }
    struct AppSettingsBody: Decodable {
        var identityVerification: String?
    }
    struct AppView: Encodable {
        var id: String
        var name: String
        var bundleId: String?
        var webOrigin: String?
        var identityVerification: String
        var vapidPublicKey: String
        var createdAt: Date

        init(_ app: AppRecord) {
            (id, name, bundleId, webOrigin) = (app.id, app.name, app.bundleId, app.webOrigin)
            identityVerification = app.identityVerification.rawValue
            vapidPublicKey = app.vapidPublicKey
            createdAt = app.createdAt
        }
    }

    func addKeyRoutes(to router: Router<PerchRequestContext>) {
        router.get("/v1/apps/:appId") { _, context in
            let appId = try appIdFromPath(context)
            guard let app = try await store.app(id: appId) else { throw PerchError.notFound("app") }
            return try JSONResponse.make(AppView(app))
        }

        router.patch("/v1/apps/:appId") { request, context in
            let appId = try appIdFromPath(context)
            let body = try await JSONBody.decode(AppSettingsBody.self, from: request)
            guard let name = body.identityVerification else { throw PerchError.missing("identityVerification") }
            guard let verification = IdentityVerification(rawValue: name) else {
                throw PerchError.invalid("identityVerification", "identityVerification must be required or off")
            }
            guard let app = try await store.setIdentityVerification(appId: appId, verification) else { throw PerchError.notFound("app") }
            return try JSONResponse.make(AppView(app))
        }

        router.post("/v1/apps/:appId/keys/rotate") { request, context in
            let appId = try appIdFromPath(context)
            let grace = try await rotationGrace(request)
            guard let rotated = try await store.rotateKeys(appId: appId, graceSeconds: grace, now: now()) else {
                throw PerchError.notFound("app")
            }
            keyCache.forget(appId: appId)
            return try JSONResponse.make(RotatedKeysView(publishableKey: rotated.publishableKey.value, secretKey: rotated.secretKey.value,
                                                         previousKeysExpireAt: rotated.previousExpireAt))
        }

        router.post("/v1/apps/:appId/identity-secret/rotate") { request, context in
            let appId = try appIdFromPath(context)
            let grace = try await rotationGrace(request)
            let at = now()
            guard let secret = try await store.rotateIdentitySecret(appId: appId, graceSeconds: grace, now: at) else {
                throw PerchError.notFound("app")
            }
            return try JSONResponse.make(RotatedIdentitySecretView(identitySecret: secret.value,
                                                                   previousSecretsExpireAt: at.addingTimeInterval(TimeInterval(grace))))
        }
    }

    /// The app of the path, when the caller holds its secret key (or is the admin); another app's key gets 404.
    private func appIdFromPath(_ context: PerchRequestContext) throws -> String {
        guard let appId = context.parameters.get("appId") else { throw PerchError.notFound("app") }
        try context.requireApp(appId)
        return appId
    }

    /// `graceSeconds` of a rotation body; a rotation without a body takes the default.
    private func rotationGrace(_ request: Request) async throws -> Int {
        var request = request
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: 4096)
        } catch {
            throw PerchError(.bodyTooLarge, "the request body is larger than 4096 bytes", field: "body")
        }
        guard bytes.readableBytes > 0 else { return RotationGrace.defaultSeconds }
        let body = try JSONBody.decode(RotationBody.self, from: bytes)
        return try RotationGrace.seconds(body.graceSeconds)
    }
}
