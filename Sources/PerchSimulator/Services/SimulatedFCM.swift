import Foundation
import PerchCore
import _CryptoExtras

/// FCM HTTP v1: the Google OAuth 2.0 token endpoint for service accounts (JWT bearer grant, RFC 7523)
/// and `POST /v1/projects/{project_id}/messages:send`, with Google's error shapes.
struct SimulatedFCM: Sendable {
    let projectId: String
    let clientEmail: String
    let privateKeyId: String
    let serviceAccountKey: _RSA.Signing.PublicKey
    /// `{fcmURL}/token`, the `aud` every assertion must carry.
    let tokenURI: String
    let state: SimulatorState
    let latency: Duration
    let now: @Sendable () -> Date

    static let tokenPath = "/token"
    static let grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    static let scopes: Set<String> = [
        "https://www.googleapis.com/auth/firebase.messaging",
        "https://www.googleapis.com/auth/cloud-platform",
    ]
    static let accessTokenLifetime = 3600
    static let messageFields: Set<String> = [
        "name", "data", "notification", "android", "webpush", "apns", "fcm_options", "token", "topic", "condition",
    ]

    func handle(_ request: SimulatorRequest) -> SimulatorAction {
        if request.path == Self.tokenPath {
            guard request.method == "POST" else { return .respond(oauthError(405, "invalid_request", "POST only"), delay: .zero) }
            return .respond(exchange(request), delay: .zero)
        }
        let prefix = "/v1/projects/"
        let suffix = "/messages:send"
        guard request.path.hasPrefix(prefix), request.path.hasSuffix(suffix),
            request.path.count > prefix.count + suffix.count
        else {
            return .respond(googleError(404, "NOT_FOUND", "The requested URL was not found on this server."), delay: .zero)
        }
        guard request.method == "POST" else {
            return .respond(googleError(405, "INVALID_ARGUMENT", "Method not allowed."), delay: .zero)
        }
        let project = String(request.path.dropFirst(prefix.count).dropLast(suffix.count))
        return send(request, project: project)
    }

    // MARK: OAuth

    /// Exchanges a signed service-account assertion for an access token.
    func exchange(_ request: SimulatorRequest) -> SimulatorResponse {
        let form = Self.formFields(request.body)
        guard form["grant_type"] == Self.grantType else {
            return oauthError(400, "unsupported_grant_type", "Invalid grant_type: \(form["grant_type"] ?? "")")
        }
        guard let assertion = form["assertion"], let jwt = JSONWebToken(compact: assertion) else {
            return oauthError(400, "invalid_request", "Missing or malformed assertion.")
        }
        if let kid = jwt.header["kid"] as? String, kid != privateKeyId {
            return oauthError(400, "invalid_grant", "Invalid JWT Signature.")
        }
        guard jwt.isSignedRS256(by: serviceAccountKey) else {
            return oauthError(400, "invalid_grant", "Invalid JWT Signature.")
        }
        guard jwt.string("iss") == clientEmail else {
            return oauthError(400, "invalid_grant", "Invalid grant: account not found")
        }
        guard jwt.string("aud") == tokenURI else {
            return oauthError(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        }
        let scopes = Set((jwt.string("scope") ?? "").split(separator: " ").map(String.init))
        guard !scopes.isDisjoint(with: Self.scopes) else {
            return oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        }
        let currentTime = now().timeIntervalSince1970
        guard let iat = jwt.number("iat"), let exp = jwt.number("exp"),
            exp > currentTime, exp > iat, exp - iat <= 3600, iat <= currentTime + 300
        else {
            return oauthError(
                400, "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
        }
        let lifetime = Self.accessTokenLifetime
        let token = state.issueAccessToken(expiry: now().addingTimeInterval(TimeInterval(lifetime)))
        return .json(200, ["access_token": token, "expires_in": lifetime, "token_type": "Bearer"])
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            fields[decode(kv[0])] = kv.count == 2 ? decode(kv[1]) : ""
        }
        return fields
    }

    // MARK: messages:send

    func send(_ request: SimulatorRequest, project: String) -> SimulatorAction {
        state.countReceived(.fcm)
        return state.answer(.fcm, fault: { faultAction($0) }) { invalidate in
            judge(request, project: project, invalidateToken: invalidate)
        }
    }

    /// FCM's checks, in order, once no fault has replaced the answer.
    private func judge(_ request: SimulatorRequest, project: String, invalidateToken: Bool) -> SimulatorAction {
        guard let authorization = request.header("authorization"), authorization.lowercased().hasPrefix("bearer "),
            let expiry = state.accessTokenExpiry(String(authorization.dropFirst("bearer ".count))),
            expiry > now()
        else {
            return reject(googleError(
                401, "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."))
        }
        guard project == projectId else {
            return reject(googleError(
                403, "PERMISSION_DENIED",
                "Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/\(project)' (or it may not exist)."))
        }
        guard let root = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any],
            let message = root["message"] as? [String: Any]
        else {
            return reject(invalidArgument("Invalid JSON payload received. Expected an object with a \"message\" field."))
        }
        if let unknown = root.keys.first(where: { $0 != "message" && $0 != "validate_only" }) {
            return reject(invalidArgument("Invalid JSON payload received. Unknown name \"\(unknown)\": Cannot find field."))
        }
        if let unknown = message.keys.sorted().first(where: { !Self.messageFields.contains($0) }) {
            return reject(invalidArgument("Invalid JSON payload received. Unknown name \"\(unknown)\" at 'message': Cannot find field."))
        }
        if let problem = Self.shapeProblem(message) ?? Self.liveActivityProblem(message) {
            return reject(invalidArgument(problem))
        }
        guard let token = message["token"] as? String, !token.isEmpty else {
            return reject(invalidArgument("Recipient of the message is not set."))
        }
        guard Self.isRegistrationToken(token) else {
            return reject(invalidArgument("The registration token is not a valid FCM registration token"))
        }
        if invalidateToken {
            state.markInvalid(.fcm, token: token, at: now())
        }
        if state.invalidation(.fcm, token: token) != nil {
            return reject(googleError(404, "NOT_FOUND", "Requested entity was not found.", errorCode: "UNREGISTERED"))
        }
        if root["validate_only"] as? Bool == true {
            return .respond(.json(200, ["name": "projects/\(project)/messages/fake_message_id"]), delay: latency)
        }

        let messageJSON = (try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys])) ?? request.body
        state.recordAccepted(
            ReceivedPush(
                platform: .fcm, token: token, environment: nil,
                headers: request.recordableHeaders, body: messageJSON, receivedAt: now()))
        let id = "0:\(Int64(now().timeIntervalSince1970 * 1_000_000))%\(UUID.random().uuidString.prefix(8).lowercased())"
        return .respond(.json(200, ["name": "projects/\(project)/messages/\(id)"]), delay: latency)
    }

    /// The first shape error FCM would report: `data` values must be strings, blocks must be objects.
    static func shapeProblem(_ message: [String: Any]) -> String? {
        if let data = message["data"] {
            guard let map = data as? [String: Any] else { return "Invalid value at 'message.data': expected a map." }
            for key in map.keys.sorted() where !(map[key] is String) {
                return "Invalid value at 'message.data[\(key)].value' (TYPE_STRING)"
            }
        }
        for block in ["notification", "android", "apns", "webpush", "fcm_options"] {
            if let value = message[block], !(value is [String: Any]) {
                return "Invalid value at 'message.\(block)': expected an object."
            }
        }
        if let notification = message["notification"] as? [String: Any] {
            for key in notification.keys.sorted() {
                guard ["title", "body", "image"].contains(key) else {
                    return "Invalid JSON payload received. Unknown name \"\(key)\" at 'message.notification': Cannot find field."
                }
                guard notification[key] is String else {
                    return "Invalid value at 'message.notification.\(key)' (TYPE_STRING)"
                }
            }
        }
        if message["topic"] != nil || message["condition"] != nil {
            return "The simulator delivers to registration tokens only (topic and condition are not simulated)."
        }
        return nil
    }

    /// Registration tokens are long URL-safe strings; anything with other characters is malformed.
    static func isRegistrationToken(_ token: String) -> Bool {
        token.utf8.count >= 8 && token.utf8.count <= 4096
            && token.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_:.".unicodeScalars.contains($0)
            }
    }

    // MARK: errors

    private func reject(_ response: SimulatorResponse) -> SimulatorAction {
        state.countRejected(.fcm)
        return .respond(response, delay: latency)
    }

    private func invalidArgument(_ message: String) -> SimulatorResponse {
        googleError(400, "INVALID_ARGUMENT", message, errorCode: "INVALID_ARGUMENT")
    }

    private func faultAction(_ fault: Fault) -> SimulatorAction {
        switch fault {
        case .reset: return .reset(delay: latency)
        case .stall: return .stall
        case .goAway: preconditionFailure("GOAWAY follows the real answer; it never replaces it")
        case .status(let status, let reason, let retryAfter):
            let (statusName, errorCode, message) = Self.defaults(status)
            var response = googleError(status, statusName, message, errorCode: reason ?? errorCode)
            if let retryAfter { response.headers.append(("retry-after", String(retryAfter))) }
            return .respond(response, delay: latency)
        }
    }

    /// Google's canonical status name, FCM error code and message for a status.
    static func defaults(_ status: Int) -> (String, String, String) {
        switch status {
        case 400: ("INVALID_ARGUMENT", "INVALID_ARGUMENT", "Request contains an invalid argument.")
        case 401: ("UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "Auth error from APNS or Web Push Service")
        case 403: ("PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch")
        case 404: ("NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
        case 429: ("RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for quota metric 'Send requests'.")
        case 503: ("UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.")
        default: ("INTERNAL", "INTERNAL", "Internal error encountered.")
        }
    }

    /// `{"error": {"code", "message", "status", "details": [FcmError]}}`.
    func googleError(_ code: Int, _ status: String, _ message: String, errorCode: String? = nil) -> SimulatorResponse {
        var error: [String: Any] = ["code": code, "message": message, "status": status]
        if let errorCode {
            error["details"] = [[
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": errorCode,
            ]]
        }
        return .json(code, ["error": error])
    }

    /// Google's OAuth error body: `{"error", "error_description"}`.
    func oauthError(_ code: Int, _ error: String, _ description: String) -> SimulatorResponse {
        .json(code, ["error": error, "error_description": description])
    }
}
