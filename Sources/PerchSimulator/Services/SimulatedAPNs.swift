import Crypto
import Foundation
import PerchCore

/// The APNs provider API (HTTP/2 `POST /3/device/<token>`) with token-based authentication,
/// judging one request as Apple documents: provider token, headers, payload, device token, environment.
struct SimulatedAPNs: Sendable {
    let teamId: String
    let keyId: String
    let topic: String
    let providerKey: P256.Signing.PublicKey
    let state: SimulatorState
    let latency: Duration
    let minimumProviderTokenInterval: Duration?
    /// Priority-10 Live Activity updates per token and hour.
    var liveActivityBudget = LiveActivityBudget(perHour: 60)
    let now: @Sendable () -> Date

    /// Apple's push types (`apns-push-type`).
    static let pushTypes: Set<String> = [
        "alert", "background", "location", "voip", "complication", "fileprovider", "mdm",
        "liveactivity", "pushtotalk", "widgets", "controls",
    ]
    /// A provider token older than this is `ExpiredProviderToken`.
    static let providerTokenLifetime: TimeInterval = 3600
    static let maximumPayload = 4096
    static let maximumVoIPPayload = 5120
    static let maximumCollapseID = 64

    /// The topics the key may push to: the bundle id and its suffixed variants.
    var allowedTopics: Set<String> {
        [topic, topic + ".voip", topic + ".complication", topic + ".pushkit.fileprovider",
         topic + ".push-type.liveactivity"]
    }

    func handle(_ request: SimulatorRequest, environment: APNsEnvironment) -> SimulatorAction {
        // Apple echoes the request's apns-id as sent, or makes one up.
        let apnsID = request.header("apns-id").flatMap { UUID(uuidString: $0) == nil ? nil : $0 }
            ?? UUID.random().uuidString.lowercased()
        guard request.path.hasPrefix("/3/device/") else {
            return reject(404, "BadPath", apnsID: apnsID)
        }
        guard request.method == "POST" else {
            return reject(405, "MethodNotAllowed", apnsID: apnsID)
        }
        state.countReceived(.apns)

        return state.answer(.apns, fault: { faultAction($0, apnsID: apnsID) }) { invalidate in
            judge(request, environment: environment, apnsID: apnsID, invalidateToken: invalidate)
        }
    }

    /// Apple's checks, in order, once no fault has replaced the answer.
    private func judge(
        _ request: SimulatorRequest, environment: APNsEnvironment, apnsID: String, invalidateToken: Bool
    ) -> SimulatorAction {
        if let reason = providerTokenProblem(request.header("authorization")) {
            return reject(reason == "TooManyProviderTokenUpdates" ? 429 : 403, reason, apnsID: apnsID)
        }
        if let (status, reason) = headerProblem(request) {
            return reject(status, reason, apnsID: apnsID)
        }
        let pushType = request.header("apns-push-type") ?? "alert"
        let limit = pushType == "voip" ? Self.maximumVoIPPayload : Self.maximumPayload
        if request.body.isEmpty {
            return reject(400, "PayloadEmpty", apnsID: apnsID)
        }
        if request.body.count > limit {
            return reject(413, "PayloadTooLarge", apnsID: apnsID)
        }
        if pushType == LiveActivityEvent.apnsPushType, let reason = liveActivityPayloadProblem(request.body) {
            return reject(400, reason, apnsID: apnsID)
        }

        let token = String(request.path.dropFirst("/3/device/".count)).lowercased()
        guard Self.isDeviceToken(token) else {
            return reject(400, "BadDeviceToken", apnsID: apnsID)
        }
        // A token issued by one environment is unknown to the other: Apple answers BadDeviceToken.
        if let issuedBy = state.apnsEnvironment(of: token), issuedBy != environment {
            return reject(400, "BadDeviceToken", apnsID: apnsID)
        }
        if invalidateToken {
            state.markInvalid(.apns, token: token, at: now())
        }
        if let invalidatedAt = state.invalidation(.apns, token: token) {
            state.countRejected(.apns)
            let timestamp = Int64((invalidatedAt.timeIntervalSince1970 * 1000).rounded(.down))
            let body: [String: Any] = ["reason": "Unregistered", "timestamp": timestamp]
            return .respond(.json(410, body, headers: [("apns-id", apnsID)]), delay: latency)
        }

        if pushType == LiveActivityEvent.apnsPushType, (request.header("apns-priority") ?? "10") == "10",
           !liveActivityBudget.spend(token: token, at: now()) {
            return reject(429, "TooManyRequests", apnsID: apnsID)
        }

        state.recordAccepted(
            ReceivedPush(
                platform: .apns, token: token, environment: environment,
                headers: request.recordableHeaders, body: request.body, receivedAt: now()))
        var headers: [(name: String, value: String)] = [("apns-id", apnsID)]
        if environment == .sandbox {
            // Apple returns apns-unique-id only in the development environment.
            headers.append(("apns-unique-id", UUID.random().uuidString.lowercased()))
        }
        return .respond(SimulatorResponse(status: 200, headers: headers), delay: latency)
    }

    /// `nil` when the bearer provider token is acceptable, else Apple's reason (403, or 429
    /// `TooManyProviderTokenUpdates`).
    func providerTokenProblem(_ authorization: String?) -> String? {
        guard let authorization, !authorization.isEmpty else { return "MissingProviderToken" }
        // Plain string work on the hot path: every push carries the (usually cached) token.
        guard authorization.prefix(7).lowercased() == "bearer " else { return "InvalidProviderToken" }
        let jwt = String(authorization.dropFirst(7).drop(while: { $0 == " " }))
        let currentTime = now().timeIntervalSince1970

        let issuedAt: Double
        if let known = state.verifiedProviderTokenIssue(jwt) {
            issuedAt = known
        } else {
            guard let token = JSONWebToken(compact: jwt),
                token.header["kid"] as? String == keyId,
                token.string("iss") == teamId,
                let iat = token.number("iat"),
                token.isSignedES256(by: providerKey)
            else { return "InvalidProviderToken" }
            if iat > currentTime + 60 { return "InvalidProviderToken" }
            if currentTime - iat > Self.providerTokenLifetime { return "ExpiredProviderToken" }
            guard
                state.rememberProviderToken(
                    jwt, issuedAt: iat, at: now(), minimumInterval: minimumProviderTokenInterval)
            else { return "TooManyProviderTokenUpdates" }
            issuedAt = iat
        }
        // A token from the future (beyond clock skew) is not one Apple accepts either.
        if issuedAt > currentTime + 60 { return "InvalidProviderToken" }
        if currentTime - issuedAt > Self.providerTokenLifetime { return "ExpiredProviderToken" }
        return nil
    }

    /// The first header Apple would refuse, with its status and reason.
    func headerProblem(_ request: SimulatorRequest) -> (Int, String)? {
        guard let topic = request.header("apns-topic") else { return (400, "MissingTopic") }
        guard !topic.isEmpty, !topic.contains(where: \.isWhitespace) else { return (400, "BadTopic") }
        guard allowedTopics.contains(topic) else { return (400, "TopicDisallowed") }
        if let pushType = request.header("apns-push-type"), !Self.pushTypes.contains(pushType) {
            return (400, "InvalidPushType")
        }
        if let problem = pushTypeProblem(pushType: request.header("apns-push-type") ?? "alert", topic: topic,
                                         priority: request.header("apns-priority")) {
            return problem
        }
        if let id = request.header("apns-id"), !Self.isUUID(id) {
            return (400, "BadMessageId")
        }
        if let priority = request.header("apns-priority"), !["1", "5", "10"].contains(priority) {
            return (400, "BadPriority")
        }
        if let expiration = request.header("apns-expiration"), Int64(expiration).map({ $0 >= 0 }) != true {
            return (400, "BadExpirationDate")
        }
        if let collapseID = request.header("apns-collapse-id"), collapseID.utf8.count > Self.maximumCollapseID {
            return (400, "BadCollapseId")
        }
        return nil
    }

    /// A UUID in its canonical text form, 8-4-4-4-12 hex digits in either case, as `apns-id` must be. (Foundation's
    /// `UUID(uuidString:)` parses it with `sscanf`: 3% of the simulator's CPU per push, profiled.)
    static func isUUID(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !((0x30...0x39).contains(byte) || (0x61...0x66).contains(byte | 0x20)) {
                return false
            }
        }
        return true
    }

    /// A device token is an even number of hex digits (32 bytes today, up to 100 bytes allowed).
    static func isDeviceToken(_ token: String) -> Bool {
        let bytes = token.utf8
        return !bytes.isEmpty && bytes.count % 2 == 0 && bytes.count <= 200
            && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) }
    }

    private func reject(_ status: Int, _ reason: String, apnsID: String) -> SimulatorAction {
        state.countRejected(.apns)
        return .respond(.json(status, ["reason": reason], headers: [("apns-id", apnsID)]), delay: latency)
    }

    private func faultAction(_ fault: Fault, apnsID: String) -> SimulatorAction {
        switch fault {
        case .reset: return .reset(delay: latency)
        case .stall: return .stall
        case .goAway: preconditionFailure("GOAWAY follows the real answer; it never replaces it")
        case .status(let status, let reason, let retryAfter):
            var headers: [(name: String, value: String)] = [("apns-id", apnsID)]
            if let retryAfter { headers.append(("retry-after", String(retryAfter))) }
            var body: [String: Any] = ["reason": reason ?? Self.defaultReason(status)]
            if status == 410 { body["timestamp"] = Int64(now().timeIntervalSince1970 * 1000) }
            return .respond(.json(status, body, headers: headers), delay: latency)
        }
    }

    static func defaultReason(_ status: Int) -> String {
        switch status {
        case 400: "BadDeviceToken"
        case 403: "InvalidProviderToken"
        case 404: "BadPath"
        case 405: "MethodNotAllowed"
        case 410: "Unregistered"
        case 413: "PayloadTooLarge"
        case 429: "TooManyRequests"
        case 500: "InternalServerError"
        case 503: "ServiceUnavailable"
        default: "InternalServerError"
        }
    }
}
