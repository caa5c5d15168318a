import Foundation
import Hummingbird
import PerchCore
import PerchHealth
import PerchStore

extension PerchAPI {
    struct ConsentBody: Decodable {
        var status: String?
        var source: String?
    }
    struct IdentifyBody: Decodable {
        var installationId: String?
        var userId: String?
        /// Proof of `userId` from the app's backend (``UserAuth``); needed with the publishable key.
        var userAuth: String?
    }
    struct TokenView: Encodable {
        var id: String
        var installationId: String
        var status: String
        var consent: String?
        var userId: String?
        /// `device`, `voip`, `liveActivityStart` or `liveActivity`.
        var kind: String
    }
    struct BindingView: Encodable {
        var installationId: String
        var userId: String?
        var previousUserId: String?
    }

    func addRegistryRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/tokens") { request, context in
            let appId = try context.appId(requiring: .publishable)
            let body = try await JSONBody.decode(RegistrationBody.self, from: request)
            // Only a well-formed id gets a bucket (a malformed one is refused just below).
            if let installationId = try? FieldRules.installationId(body.installationId) { try limitInstallations([installationId], context: context) }
            let result = try await register(body, appId: appId, keyKind: context.keyKind)
            metrics.registrations.increment()
            let view = TokenView(id: result.tokenId, installationId: result.installationId, status: result.status.name.rawValue,
                                 consent: result.consent?.rawValue, userId: result.userId, kind: body.kind ?? TokenKindName.device.rawValue)
            return try JSONResponse.make(view, status: result.created ? .created : .ok)
        }

        router.delete("/v1/installations/:installationId") { _, context in
            let appId = try context.appId(requiring: .publishable)
            let installationId = try context.parameters.identifier("installationId", rule: FieldRules.installationId)
            try limitInstallations([installationId], context: context)
            let known = try await store.unregister(appId: appId, installationId: installationId, now: now())
            if context.keyKind == .publishable {
                return try JSONResponse.make(PublicInstallationView(installationId: installationId, status: TokenStatusName.revoked.rawValue))
            }
            guard known else { throw PerchError.notFound("installation") }
            return try JSONResponse.make(try await installationView(appId: appId, installationId: installationId))
        }

        router.get("/v1/installations/:installationId") { _, context in
            let appId = try context.appId(requiring: .secret)
            let installationId = try context.parameters.identifier("installationId", rule: FieldRules.installationId)
            return try JSONResponse.make(try await installationView(appId: appId, installationId: installationId, withHistory: true))
        }

        router.put("/v1/installations/:installationId/consent") { request, context in
            let appId = try context.appId(requiring: .publishable)
            let installationId = try context.parameters.identifier("installationId", rule: FieldRules.installationId)
            try limitInstallations([installationId], context: context)
            let body = try await JSONBody.decode(ConsentBody.self, from: request)
            guard let statusName = body.status else { throw PerchError.missing("status") }
            guard let status = ConsentStatus(rawValue: statusName) else {
                throw PerchError.invalid("status", "status must be granted, denied or revoked")
            }
            let source = body.source ?? "api"
            guard (1...64).contains(source.utf8.count), source.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
                throw PerchError.invalid("source", "source must be 1–64 printable ASCII characters")
            }
            let record = ConsentRecord(status: status, source: source, at: now())
            let known = try await store.setConsent(appId: appId, installationId: installationId, record: record) != nil
            if context.keyKind == .publishable {
                return try JSONResponse.make(PublicInstallationView(installationId: installationId, consent: .init(status: status.rawValue, source: source)))
            }
            guard known else { throw PerchError.notFound("installation") }
            return try JSONResponse.make(try await installationView(appId: appId, installationId: installationId, withHistory: true))
        }

        router.post("/v1/identify") { request, context in
            let appId = try context.appId(requiring: .publishable)
            let body = try await JSONBody.decode(IdentifyBody.self, from: request)
            let installationId = try FieldRules.installationId(body.installationId)
            try limitInstallations([installationId], context: context)
            let userId = try FieldRules.userId(body.userId)
            let current = try await store.installation(appId: appId, installationId: installationId)
            // The proof is asked for whether or not the installation exists, so a 401 says nothing about it either.
            try await requireProof(body.userAuth, appId: appId, keyKind: context.keyKind, currentUserId: current?.userId, requestedUserId: userId)
            let bound = current == nil ? nil : try await store.identify(appId: appId, installationId: installationId, userId: userId, now: now())
            if context.keyKind == .publishable {
                return try JSONResponse.make(PublicInstallationView(installationId: installationId, userId: .some(userId)))
            }
            guard let (summary, previous) = bound else {
                throw PerchError(.notFound, "installation not found; register a token first", field: "installationId")
            }
            return try JSONResponse.make(BindingView(installationId: summary.installationId, userId: summary.userId, previousUserId: previous))
        }

        router.post("/v1/logout") { request, context in
            let appId = try context.appId(requiring: .publishable)
            let body = try await JSONBody.decode(IdentifyBody.self, from: request)
            let installationId = try FieldRules.installationId(body.installationId)
            try limitInstallations([installationId], context: context)
            let unbound = try await store.logout(appId: appId, installationId: installationId, now: now())
            if context.keyKind == .publishable {
                return try JSONResponse.make(PublicInstallationView(installationId: installationId, userId: .some(nil)))
            }
            guard let (summary, previous) = unbound else {
                throw PerchError(.notFound, "installation not found", field: "installationId")
            }
            return try JSONResponse.make(BindingView(installationId: summary.installationId, userId: summary.userId, previousUserId: previous))
        }
    }

    /// Validates, checks a Web Push endpoint against the host policy (no DNS: addresses are checked when sending),
    /// and stores.
    func register(_ body: RegistrationBody, appId: String, keyKind: APIKey.Kind) async throws -> RegistrationResult {
        var policy = EndpointPolicy(operatorHosts: allowedGatewayHosts)
        if body.platform == Platform.webpush.rawValue {
            guard let app = try await store.app(id: appId) else { throw PerchError.notFound("app") }
            policy = app.endpointPolicy(operatorHosts: allowedGatewayHosts)
        }
        let registration = try body.validated(endpointPolicy: policy)
        if let userId = registration.userId {
            let current = try await store.installation(appId: appId, installationId: registration.installationId)
            try await requireProof(body.userAuth, appId: appId, keyKind: keyKind, currentUserId: current?.userId, requestedUserId: userId)
        }
        return try await store.register(appId: appId, registration, now: now())
    }

    /// Refuses (401, field `userAuth`) a request that binds an installation to `requestedUserId` or moves it there,
    /// made with the publishable key of an app that requires identity verification, without a valid `userAuth` for that user.
    func requireProof(_ userAuth: String?, appId: String, keyKind: APIKey.Kind, currentUserId: String?, requestedUserId: String?) async throws {
        guard keyKind == .publishable else { return }
        guard let app = try await store.app(id: appId) else { throw PerchError.notFound("app") }
        guard app.identityVerification.needsProof(keyKind: keyKind, currentUserId: currentUserId, requestedUserId: requestedUserId),
              let requestedUserId
        else { return }
        try await UserAuth.verify(userAuth, userId: requestedUserId, secrets: try await store.identitySecrets(appId: appId, now: now()), now: now())
    }

    func installationView(appId: String, installationId: String, withHistory: Bool = false) async throws -> InstallationView {
        guard let summary = try await store.installation(appId: appId, installationId: installationId) else {
            throw PerchError.notFound("installation")
        }
        let history = withHistory ? try await store.consentHistory(appId: appId, installationId: installationId) : nil
        return InstallationView(summary, consentHistory: history)
    }
}
