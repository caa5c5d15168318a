import Foundation
import Hummingbird
import Logging
import PerchCore
import PerchStore

/// `POST /api/push`: gorush's request and answer shapes, so an existing gorush client can point at
/// Perch. Unlike gorush, a token a push service calls dead is retired in the registry at once,
/// and every failure is reported in `logs` (gorush's synchronous mode).
///
/// Auth: the app's secret key, as `Authorization: Bearer sk_…` or as the HTTP Basic password
/// (`https://app:sk_…@perch.example.com/api/push`).
extension PerchAPI {
    /// At most this many notifications per request (gorush's default `max_notification`).
    static let gorushNotificationLimit = 100
    /// At most this many tokens over all notifications of one request.
    static let gorushTokenLimit = 1000
    /// Sends in flight at once within one notification.
    static let gorushConcurrency = 8

    struct GorushBody: Decodable {
        var notifications: [GorushNotification]?
    }
    struct GorushAnswer: Encodable {
        var counts: Int
        var logs: [GorushPushLog]
        var success: String
    }

    func addGorushRoutes(to router: Router<PerchRequestContext>) {
        router.post("/api/push") { request, context in
            let appId = try context.appId(requiring: .secret)
            guard let sender else { throw PerchError(.unsupported, "sending is not configured on this server") }
            let body = try await JSONBody.decode(GorushBody.self, from: request, limit: 1 << 20)
            guard let notifications = body.notifications else { throw PerchError.missing("notifications") }
            guard !notifications.isEmpty else { throw PerchError.invalid("notifications", "notifications is empty") }
            guard notifications.count <= Self.gorushNotificationLimit else {
                throw PerchError.invalid("notifications", "number of notifications (\(notifications.count)) over limit (\(Self.gorushNotificationLimit))")
            }
            let tokenCount = notifications.reduce(0) { $0 + ($1.tokens?.count ?? 0) }
            guard tokenCount <= Self.gorushTokenLimit else {
                throw PerchError.invalid("notifications", "number of tokens (\(tokenCount)) over limit (\(Self.gorushTokenLimit))")
            }
            for (index, notification) in notifications.enumerated() { try notification.checkLimits(index: index, now: now()) }
            var counts = 0
            var logs: [GorushPushLog] = []
            for (index, notification) in notifications.enumerated() {
                let tokens = notification.tokens ?? []
                counts += max(tokens.count, 1)
                let platformName = GorushPushLog.platformName(notification.platform)
                let plan: (platform: Platform, message: PushMessage)
                do {
                    guard !tokens.isEmpty || notification.to != nil else { throw PerchError.missing("notifications[\(index)].tokens") }
                    plan = (try notification.destinationPlatform(), try notification.message(now: now()))
                    try await checkGorushTopic(notification.topic, platform: plan.platform, appId: appId)
                } catch let error as PerchError {
                    logs.append(GorushPushLog(platform: platformName, token: "", message: notification.message ?? "", error: error.message,
                                              notifId: notification.notifId, index: index, tokenIndex: nil, outcome: "rejected",
                                              reason: error.code.description))
                    continue
                }
                let ttl = notification.timeToLive(now: now())
                let logger = context.logger
                let found = await withTaskGroup(of: GorushPushLog?.self) { group in
                    var results: [GorushPushLog] = []
                    for (tokenIndex, token) in tokens.enumerated() {
                        if tokenIndex >= Self.gorushConcurrency, let done = await group.next(), let log = done { results.append(log) }
                        group.addTask {
                            await gorushSend(token, notification: notification, plan: plan, timeToLive: ttl, appId: appId, sender: sender,
                                             index: index, tokenIndex: tokenIndex, logger: logger)
                        }
                    }
                    for await done in group { if let log = done { results.append(log) } }
                    return results
                }
                logs += found.sorted { ($0.tokenIndex ?? -1) < ($1.tokenIndex ?? -1) }
            }
            return try JSONResponse.make(GorushAnswer(counts: counts, logs: logs, success: "ok"))
        }
    }

    /// gorush's iOS `topic` is the APNs topic; Perch sends with the app's own, so another one is refused.
    func checkGorushTopic(_ topic: String?, platform: Platform, appId: String) async throws {
        guard let topic, !topic.isEmpty else { return }
        guard platform == .apns else {
            throw PerchError(.unsupported, "Perch sends to device tokens, not to FCM topics: list them in tokens", field: "topic")
        }
        let configured = try await store.gateway(appId: appId, platform: .apns).flatMap { $0.settings.objectValue?["topic"]?.stringValue }
        if let configured, configured != topic, !topic.hasPrefix(configured + ".") {
            throw PerchError.invalid("topic", "topic \(topic) is not this app's APNs topic (\(configured))")
        }
    }

    /// Sends to one raw token; `nil` when the push service accepted it, else its log entry.
    /// A token Perch does not know is registered first (consent granted: the sender holds the token and asks
    /// to send), so its outcome can retire it; a known token is sent through its installation, so consent and
    /// status rules apply.
    func gorushSend(_ token: String, notification: GorushNotification, plan: (platform: Platform, message: PushMessage), timeToLive: Int?,
                    appId: String, sender: DirectSend, index: Int, tokenIndex: Int, logger: Logger) async -> GorushPushLog? {
        func entry(_ outcome: String, _ error: String, reason: String?) -> GorushPushLog {
            GorushPushLog(platform: GorushPushLog.platformName(notification.platform), token: token, message: plan.message.body, error: error,
                          notifId: notification.notifId, index: index, tokenIndex: tokenIndex, outcome: outcome, reason: reason)
        }
        do {
            let destination: PushDestination
            switch plan.platform {
            case .apns: destination = .apns(token: try FieldRules.apnsToken(token, field: "token"), environment: notification.apnsEnvironment)
            case .fcm: destination = .fcm(token: try FieldRules.fcmToken(token, field: "token"))
            case .webpush: throw PerchError.invalid("platform", "Web Push subscriptions are not sent through the gorush API")
            }
            let installationId: String
            var registeredNow = false
            if let tokenId = try await store.tokenId(appId: appId, destination: destination) {
                guard let owner = try await store.installationId(appId: appId, tokenId: tokenId) else {
                    return entry("suppressed", "the token belongs to no installation", reason: "no_installation")
                }
                if let current = try await store.currentDestination(appId: appId, installationId: owner), current.tokenId != tokenId {
                    return entry("suppressed", "the token was replaced by a newer one of its installation", reason: "token_replaced")
                }
                installationId = owner
            } else {
                let registration = TokenRegistration(installationId: "gorush-" + UUID.random().uuidString.lowercased(), destination: destination,
                                                     consent: .granted)
                installationId = try await store.register(appId: appId, registration, now: now()).installationId
                registeredNow = true
            }
            let result = try await sender.send(plan.message, appId: appId, installationId: installationId, timeToLive: timeToLive,
                                               registeredBySender: registeredNow, logger: logger)
            guard result.outcome != DeliveryVerdict.Outcome.accepted.rawValue else { return nil }
            let reason = result.reason
            let text = [reason?.code, reason?.detail].compactMap { $0 }.joined(separator: ": ")
            return entry(result.outcome, text.isEmpty ? result.outcome : text, reason: reason?.code)
        } catch let error as PerchError {
            return entry(error.code == .gatewayNotConfigured ? "credential_error" : "rejected", error.message, reason: error.code.description)
        } catch {
            logger.error("gorush send failed", metadata: ["error": "\(type(of: error))"])
            return entry("error", "Perch could not send: internal error", reason: "internal")
        }
    }
}
