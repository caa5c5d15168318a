import Foundation
import Hummingbird
import PerchCore
import PerchDelivery
import PerchHealth
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
        /// Transactional sends may bypass frequency caps — never consent.
        var bypassCaps: Bool?
        /// Which of a user's devices: `all` (default), `latest` or `latestPerPlatform`.
        var devicePolicy: DevicePolicy?
        /// Wait for the gateways' answers before answering (default true).
        var wait: Bool?
        /// How long to wait at most, in seconds (default 10, at most 60).
        var waitSeconds: Double?
        /// `device` (default) or `voip`: a PushKit push to the target's VoIP tokens.
        var kind: String?
    }
    struct SendView: Encodable {
        var sendId: String
        /// Whether every delivery has its final outcome.
        var complete: Bool
        var results: [SendResult]
    }

    /// `POST /v1/send`: a transactional send, durable like a campaign — one delivery row per token written
    /// before sending, consent and token status always applied, caps unless bypassed.
    func addSendRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/send") { request, context in
            let appId = try context.appId(requiring: .secret)
            guard let gateways else { throw PerchError(.unsupported, "sending is not configured on this server") }
            let body = try await JSONBody.decode(SendBody.self, from: request)
            guard let target = body.to else { throw PerchError.missing("to") }
            guard var message = body.message else { throw PerchError.missing("message") }
            var tokens: TokenSelection?
            switch body.kind {
            case nil, TokenKindName.device.rawValue?: break
            case TokenKindName.voip.rawValue?:
                tokens = .voip
                message = message.asVoIP()
            default:
                throw PerchError.invalid("kind", "kind is device or voip; Live Activities go through /v1/live-activities")
            }
            let waitSeconds = body.waitSeconds ?? 10
            guard (0...60).contains(waitSeconds) else { throw PerchError.invalid("waitSeconds", "waitSeconds is 0 to 60") }

            var audience = CampaignDefinition.Audience()
            let installations: [InstallationSummary]
            switch (target.installationId, target.userId) {
            case (let installation?, nil):
                let id = try FieldRules.installationId(installation, field: "to.installationId")
                guard let summary = try await store.installation(appId: appId, installationId: id) else {
                    throw PerchError(.notFound, "installation not found", field: "to.installationId")
                }
                audience.installationIds = [id]
                installations = [summary]
            case (nil, let user?):
                let userId = try FieldRules.userId(user, field: "to.userId")
                guard let profile = try await store.userProfile(appId: appId, userId: userId) else {
                    throw PerchError(.notFound, "user not found", field: "to.userId")
                }
                audience.userIds = [userId]
                installations = profile.installations
            default:
                throw PerchError.invalid("to", "to names exactly one of installationId or userId")
            }
            let definition = CampaignDefinition(name: "send", audience: audience, message: message, devicePolicy: body.devicePolicy,
                                                ttlSeconds: body.ttlSeconds, bypassCaps: body.bypassCaps, tokens: tokens)
            try await CampaignRules.validate(definition, appId: appId, kind: .transactional, resolver: campaignResolver)
            // Refuse up front when none of the target's platforms can be sent to.
            var configured = false
            var firstError: (any Error)?
            let platforms: Set<Platform> = tokens == .voip ? [.apns] : Set(installations.map(\.platform))
            for platform in platforms {
                do {
                    _ = try await gateways.route(appId: appId, platform: platform)
                    configured = true
                } catch {
                    firstError = firstError ?? error
                }
            }
            if !configured, let firstError { throw firstError }

            let sendId = try await sends.enqueue(definition, appId: appId).id
            let deadline = ContinuousClock.now + .seconds(body.wait == false ? 0 : waitSeconds)
            let records = try await sends.deliveries(appId: appId, sendIds: [sendId], until: deadline)[sendId] ?? []
            let complete = records.allSatisfy(\.isFinal)
            return try JSONResponse.make(SendView(sendId: sendId, complete: complete, results: records.map { SendResult($0) }),
                                         status: complete ? .ok : .accepted)
        }
    }
}
