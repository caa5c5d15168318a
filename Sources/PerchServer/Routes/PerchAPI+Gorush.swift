import Foundation
import Hummingbird
import Logging
import PerchCore
import PerchDelivery
import PerchHealth
import PerchStore

/// `POST /api/push`: gorush's request and answer shapes, so an existing gorush client can point at
/// Perch. Every notification is a transactional send through the delivery queue like `POST /v1/send` — throttle,
/// pauses, delivery rows, metrics and `explain` — and the answer waits for the gateways' outcomes (gorush's
/// synchronous mode): unlike gorush, a token a push service calls dead is retired in the registry at once, and every
/// failure is reported in `logs`.
///
/// Auth: the app's secret key, as `Authorization: Bearer sk_…` or as the HTTP Basic password
/// (`https://app:sk_…@perch.example.com/api/push`).
extension PerchAPI {
    /// At most this many notifications per request (gorush's default `max_notification`).
    static let gorushNotificationLimit = 100
    /// At most this many tokens over all notifications of one request.
    static let gorushTokenLimit = 1000
    /// Registry look-ups in flight at once within one notification.
    static let gorushConcurrency = 8
    /// How long the answer waits for the gateways; a push still unanswered then is reported with its state (it is
    /// still sent, and its retries still made, by the worker).
    static let gorushWait = Duration.seconds(10)

    struct GorushBody: Decodable {
        var notifications: [GorushNotification]?
    }
    struct GorushAnswer: Encodable {
        var counts: Int
        var logs: [GorushPushLog]
        var success: String
        /// Perch's extension: per notification, the id of its transactional send, `nil` when none of its tokens was sent to.
        var sendIds: [String?]

        enum CodingKeys: String, CodingKey {
            case counts, logs, success
            case sendIds = "send_ids"
        }
    }

    /// One raw token of a notification, found in the registry (or registered) as an installation to send to.
    struct GorushTarget: Sendable {
        var tokenIndex: Int
        var token: String
        var installationId: String
        /// Registered by this request: the sender's registration is no sighting of the device, so a gateway's "dead"
        /// retires it even when APNs dates its 410 before that registration.
        var registeredNow: Bool
    }

    /// What became of one raw token: an installation to send to, or the log entry of why it is not sent.
    enum GorushLookup: Sendable {
        case send(GorushTarget)
        case skip(GorushPushLog)
    }

    /// A notification enqueued as a transactional send.
    struct GorushSend: Sendable {
        var index: Int
        var notification: GorushNotification
        var message: PushMessage
        var sendId: String
        var targets: [GorushTarget]
    }

    func addGorushRoutes(to router: Router<PerchRequestContext>) {
        router.post("/api/push") { request, context in
            let appId = try context.appId(requiring: .secret)
            guard let gateways else { throw PerchError(.unsupported, "sending is not configured on this server") }
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
            var queued: [GorushSend] = []
            for (index, notification) in notifications.enumerated() {
                let tokens = notification.tokens ?? []
                counts += max(tokens.count, 1)
                let plan: (platform: Platform, message: PushMessage)
                do {
                    guard !tokens.isEmpty || notification.to != nil else { throw PerchError.missing("notifications[\(index)].tokens") }
                    plan = (try notification.destinationPlatform(), try notification.message(now: now()))
                    try await checkGorushTopic(notification.topic, platform: plan.platform, appId: appId)
                } catch let error as PerchError {
                    logs.append(GorushPushLog(platform: GorushPushLog.platformName(notification.platform), token: "",
                                              message: notification.message ?? "", error: error.message, notifId: notification.notifId,
                                              index: index, tokenIndex: nil, outcome: "rejected", reason: error.code.description))
                    continue
                }
                let found = await gorushTargets(tokens, notification: notification, plan: plan, appId: appId, index: index, logger: context.logger)
                logs += found.logs
                guard !found.targets.isEmpty else { continue }
                do {
                    _ = try await gateways.route(appId: appId, platform: plan.platform)
                } catch let error as PerchError {
                    let outcome = error.code == .gatewayNotConfigured ? "credential_error" : "rejected"
                    logs += found.targets.map {
                        gorushLog($0, notification: notification, message: plan.message, index: index, outcome: outcome, error: error.message,
                                  reason: error.code.description)
                    }
                    continue
                }
                let installations = Set(found.targets.map(\.installationId)).sorted()
                let definition = CampaignDefinition(name: "api/push", audience: CampaignDefinition.Audience(installationIds: installations),
                                                    message: plan.message, ttlSeconds: notification.timeToLive(now: now()),
                                                    bypassCaps: true)
                let sendId = try await sends.enqueue(definition, appId: appId).id
                queued.append(GorushSend(index: index, notification: notification, message: plan.message, sendId: sendId, targets: found.targets))
            }
            let records = try await sends.deliveries(appId: appId, sendIds: queued.map(\.sendId), until: ContinuousClock.now + Self.gorushWait)
            for send in queued {
                let byInstallation = Dictionary((records[send.sendId] ?? []).map { ($0.installationId, $0) }, uniquingKeysWith: { first, _ in first })
                for target in send.targets {
                    if let log = try await gorushLog(target, record: byInstallation[target.installationId], send: send, appId: appId) { logs.append(log) }
                }
            }
            logs.sort { ($0.index, $0.tokenIndex ?? -1) < ($1.index, $1.tokenIndex ?? -1) }
            var sendIds = [String?](repeating: nil, count: notifications.count)
            for send in queued { sendIds[send.index] = send.sendId }
            return try JSONResponse.make(GorushAnswer(counts: counts, logs: logs, success: "ok", sendIds: sendIds))
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

    /// The notification's raw tokens as installations to send to, and a log entry for each token that cannot be sent to.
    func gorushTargets(_ tokens: [String], notification: GorushNotification, plan: (platform: Platform, message: PushMessage), appId: String,
                       index: Int, logger: Logger) async -> (targets: [GorushTarget], logs: [GorushPushLog]) {
        await withTaskGroup(of: GorushLookup.self) { group in
            var targets: [GorushTarget] = []
            var logs: [GorushPushLog] = []
            func take(_ done: GorushLookup) {
                switch done {
                case .send(let target): targets.append(target)
                case .skip(let log): logs.append(log)
                }
            }
            for (tokenIndex, token) in tokens.enumerated() {
                if tokenIndex >= Self.gorushConcurrency, let done = await group.next() { take(done) }
                group.addTask {
                    await gorushTarget(token, tokenIndex: tokenIndex, notification: notification, plan: plan, appId: appId, index: index, logger: logger)
                }
            }
            for await done in group { take(done) }
            return (targets.sorted { $0.tokenIndex < $1.tokenIndex }, logs)
        }
    }

    /// One raw token as an installation to send to (``SendQueue/target(_:appId:registeringAs:)``).
    func gorushTarget(_ token: String, tokenIndex: Int, notification: GorushNotification, plan: (platform: Platform, message: PushMessage),
                      appId: String, index: Int, logger: Logger) async -> GorushLookup {
        func failure(_ outcome: String, _ error: String, reason: String?) -> GorushLookup {
            .skip(GorushPushLog(platform: GorushPushLog.platformName(notification.platform), token: token, message: plan.message.body,
                                error: error, notifId: notification.notifId, index: index, tokenIndex: tokenIndex, outcome: outcome, reason: reason))
        }
        do {
            let destination: PushDestination
            switch plan.platform {
            case .apns: destination = .apns(token: try FieldRules.apnsToken(token, field: "token"), environment: notification.apnsEnvironment)
            case .fcm: destination = .fcm(token: try FieldRules.fcmToken(token, field: "token"))
            case .webpush: throw PerchError.invalid("platform", "Web Push subscriptions are not sent through the gorush API")
            }
            switch try await sends.target(destination, appId: appId, registeringAs: "gorush-") {
            case .installation(let id, let registeredNow):
                return .send(GorushTarget(tokenIndex: tokenIndex, token: token, installationId: id, registeredNow: registeredNow))
            case .suppressed(let reason, let detail):
                return failure("suppressed", detail, reason: reason)
            }
        } catch let error as PerchError {
            return failure("rejected", error.message, reason: error.code.description)
        } catch {
            logger.error("gorush registry look-up failed", metadata: ["error": "\(type(of: error))"])
            return failure("error", "Perch could not send: internal error", reason: "internal")
        }
    }

    /// The log entry of one target from its delivery, `nil` when the push service accepted it
    /// (``SendQueue/outcome(of:registeredNow:appId:)``).
    func gorushLog(_ target: GorushTarget, record: DeliveryRecord?, send: GorushSend, appId: String) async throws -> GorushPushLog? {
        guard let record else {
            return gorushLog(target, notification: send.notification, message: send.message, index: send.index, outcome: "suppressed",
                             error: "the installation has no token to send to", reason: "no_token")
        }
        let outcome = try await sends.outcome(of: record, registeredNow: target.registeredNow, appId: appId)
        guard outcome != DeliveryVerdict.Outcome.accepted.rawValue else { return nil }
        let text = [record.reason, record.reasonDetail].compactMap { $0 }.joined(separator: ": ")
        return gorushLog(target, notification: send.notification, message: send.message, index: send.index, outcome: outcome,
                         error: text.isEmpty ? outcome : text, reason: record.reason)
    }

    func gorushLog(_ target: GorushTarget, notification: GorushNotification, message: PushMessage, index: Int, outcome: String, error: String,
                   reason: String?) -> GorushPushLog {
        GorushPushLog(platform: GorushPushLog.platformName(notification.platform), token: target.token, message: message.body, error: error,
                      notifId: notification.notifId, index: index, tokenIndex: target.tokenIndex, outcome: outcome, reason: reason)
    }
}
