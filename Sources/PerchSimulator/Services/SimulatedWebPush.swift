import Crypto
import Foundation
import PerchCore

/// A Web Push push service (RFC 8030): `POST /push/{id}` for the subscriptions it handed out, with
/// VAPID (RFC 8292) verification and decryption of every message (RFC 8291 `aes128gcm`).
struct SimulatedWebPush: Sendable {
    /// The origin of every endpoint, `https://host:port`: the `aud` VAPID tokens must carry.
    let origin: String
    let state: SimulatorState
    let latency: Duration
    let now: @Sendable () -> Date

    static let pushPrefix = "/push/"
    /// RFC 8030 §7.2: a push service must accept at least 4096 octets of payload.
    static let maximumBody = 4096
    /// RFC 8292 §2: `exp` no more than 24 hours ahead.
    static let maximumTokenLifetime: TimeInterval = 24 * 3600
    static let urgencies: Set<String> = ["very-low", "low", "normal", "high"]

    func endpoint(forSubscription id: String) -> String { origin + Self.pushPrefix + id }

    func handle(_ request: SimulatorRequest) -> SimulatorAction {
        guard request.path.hasPrefix(Self.pushPrefix), request.path.count > Self.pushPrefix.count else {
            return .respond(error(404, "Not Found", "No such push resource."), delay: .zero)
        }
        guard request.method == "POST" else {
            return .respond(error(405, "Method Not Allowed", "Push messages are POSTed."), delay: .zero)
        }
        state.countReceived(.webpush)
        let id = String(request.path.dropFirst(Self.pushPrefix.count))
        let endpoint = endpoint(forSubscription: id)

        return state.answer(.webpush, fault: { faultAction($0) }) { invalidate in
            judge(request, endpoint: endpoint, id: id, invalidateToken: invalidate)
        }
    }

    /// The push service's checks, in order, once no fault has replaced the answer.
    private func judge(_ request: SimulatorRequest, endpoint: String, id: String, invalidateToken: Bool) -> SimulatorAction {
        guard let subscription = state.subscription(id: id) else {
            return reject(404, "Not Found", "No such subscription.")
        }
        if invalidateToken {
            state.markInvalid(.webpush, token: endpoint, at: now())
        }
        if state.invalidation(.webpush, token: endpoint) != nil {
            return reject(410, "Gone", "The subscription has expired or was unsubscribed.")
        }

        switch vapidProblem(request.header("authorization"), subscription: subscription) {
        case .missing(let message)?: return reject(401, "Unauthorized", message)
        case .invalid(let message)?: return reject(403, "Forbidden", message)
        case nil: break
        }

        guard let ttl = request.header("ttl"), let seconds = Int(ttl), seconds >= 0 else {
            return reject(400, "Bad Request", "A TTL header with a non-negative integer is required.")
        }
        if let urgency = request.header("urgency"), !Self.urgencies.contains(urgency) {
            return reject(400, "Bad Request", "Urgency must be very-low, low, normal or high.")
        }
        if let topic = request.header("topic"), !Self.isTopic(topic) {
            return reject(400, "Bad Request", "Topic must be at most 32 base64url characters.")
        }
        if request.body.count > Self.maximumBody {
            return reject(413, "Payload Too Large", "The message body exceeds 4096 octets.")
        }

        let plaintext: Data
        if request.body.isEmpty {
            plaintext = Data()
        } else {
            guard request.header("content-encoding")?.lowercased() == "aes128gcm" else {
                return reject(400, "Bad Request", "Content-Encoding must be aes128gcm.")
            }
            do {
                plaintext = try WebPushDecryption.decrypt(
                    request.body, userAgentPrivateKey: subscription.privateKey, authSecret: subscription.authSecret)
            } catch {
                return reject(400, "Bad Request", "The message did not decrypt: \(error).")
            }
        }

        state.recordAccepted(
            ReceivedPush(
                platform: .webpush, token: endpoint, environment: nil,
                headers: request.recordableHeaders, body: plaintext, receivedAt: now()))
        let location = origin + "/message/" + UUID.random().uuidString.lowercased()
        return .respond(SimulatorResponse(status: 201, headers: [("location", location), ("ttl", ttl)]), delay: latency)
    }

    enum VAPIDProblem {
        /// No usable `vapid` credentials: 401.
        case missing(String)
        /// Credentials present but wrong: 403.
        case invalid(String)
    }

    /// Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3).
    func vapidProblem(_ authorization: String?, subscription: WebPushSubscriptionKeys) -> VAPIDProblem? {
        guard let authorization, !authorization.isEmpty else { return .missing("VAPID authorization is required.") }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "vapid" else {
            return .missing("The authorization scheme must be vapid.")
        }
        var parameters: [String: String] = [:]
        for item in parts[1].split(separator: ",") {
            let kv = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2 { parameters[kv[0].lowercased()] = String(kv[1]).trimmingCharacters(in: .init(charactersIn: "\"")) }
        }
        guard let t = parameters["t"], let k = parameters["k"] else {
            return .missing("vapid credentials need both t and k.")
        }
        guard let keyBytes = Base64URL.decode(k), keyBytes.count == 65,
            let publicKey = try? P256.Signing.PublicKey(x963Representation: keyBytes)
        else { return .invalid("k is not an uncompressed P-256 public key.") }
        if let restricted = subscription.applicationServerKey, restricted != keyBytes {
            return .invalid("k does not match the subscription's applicationServerKey.")
        }
        guard let jwt = JSONWebToken(compact: t) else { return .invalid("t is not a JWT.") }
        guard jwt.isSignedES256(by: publicKey) else { return .invalid("The JWT signature does not verify with k.") }
        guard jwt.string("aud") == origin else { return .invalid("aud must be the push resource's origin.") }
        let currentTime = now().timeIntervalSince1970
        guard let exp = jwt.number("exp"), exp > currentTime else { return .invalid("exp is missing or past.") }
        guard exp <= currentTime + Self.maximumTokenLifetime + 60 else {
            return .invalid("exp is more than 24 hours ahead.")
        }
        guard let sub = jwt.string("sub"), sub.hasPrefix("mailto:") || sub.hasPrefix("https:") else {
            return .invalid("sub must be a mailto: or https: contact.")
        }
        state.rememberVAPIDToken(t)
        return nil
    }

    static func isTopic(_ topic: String) -> Bool {
        !topic.isEmpty && topic.count <= 32
            && topic.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_"
            }
    }

    private func reject(_ status: Int, _ error: String, _ message: String) -> SimulatorAction {
        state.countRejected(.webpush)
        return .respond(self.error(status, error, message), delay: latency)
    }

    /// Autopush-style error body: `{"code", "error", "message"}`.
    func error(_ status: Int, _ error: String, _ message: String) -> SimulatorResponse {
        .json(status, ["code": status, "error": error, "message": message])
    }

    private func faultAction(_ fault: Fault) -> SimulatorAction {
        switch fault {
        case .reset: return .reset(delay: latency)
        case .stall: return .stall
        case .goAway: preconditionFailure("GOAWAY follows the real answer; it never replaces it")
        case .status(let status, let reason, let retryAfter):
            var response = error(status, Self.statusText(status), reason ?? "Simulated fault.")
            if let retryAfter { response.headers.append(("retry-after", String(retryAfter))) }
            return .respond(response, delay: latency)
        }
    }

    static func statusText(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 410: "Gone"
        case 413: "Payload Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
