import Foundation
import PerchCore

/// The `/_sim/…` control API every listener answers (for the CLI, browser tests and benchmarks).
extension PushSimulator {
    private struct FaultRequest: Decodable {
        var platform: Platform?
        var fault: String
        var count: Int?
        var reason: String?
        var retryAfter: Int?
    }

    private struct TokenRequest: Decodable {
        var platform: Platform?
        var token: String
    }

    private struct EnvironmentRequest: Decodable {
        var token: String
        var environment: APNsEnvironment
    }

    private struct SubscriptionRequest: Decodable {
        var applicationServerKey: String?
    }

    func control(_ request: SimulatorRequest, on listener: SimulatorListener) -> SimulatorResponse {
        let platform: Platform
        if let named = request.query["platform"] {
            guard let parsed = Platform(rawValue: named) else { return problem(400, "unknown platform '\(named)'") }
            platform = parsed
        } else {
            platform = listener.platform
        }
        switch (request.method, request.path) {
        case ("GET", "/_sim/counters"):
            var counters = counters(platform: platform)
            // A poller watching progress does not need (or want to parse) one entry per token.
            if request.query["perToken"] == "false" { counters.perToken = [:] }
            return .encoded(200, counters)
        case ("GET", "/_sim/received"):
            return .encoded(200, received(platform: platform))
        case ("POST", "/_sim/reset"):
            resetCounters()
            return .json(200, ["reset": true])
        case ("POST", "/_sim/faults"):
            guard let body = decode(FaultRequest.self, request.body) else {
                return problem(400, "expected {platform?, fault, count?, reason?, retryAfter?}")
            }
            let effect: FaultPlan.Effect
            do {
                effect = try FaultPlan.parseEffect(body.fault, item: body.fault)
            } catch {
                return problem(400, error.description)
            }
            guard case .fault(var fault) = effect else {
                return problem(400, "use POST /_sim/invalid to invalidate a token")
            }
            if case .status(let status, let reason, let retryAfter) = fault {
                fault = .status(status, reason: body.reason ?? reason, retryAfter: body.retryAfter ?? retryAfter)
            }
            let count = max(1, body.count ?? 1)
            let target = body.platform ?? platform
            inject(fault, platform: target, count: count)
            return .json(200, ["platform": target.rawValue, "fault": body.fault, "count": count])
        case ("POST", "/_sim/invalid"):
            guard let body = decode(TokenRequest.self, request.body) else { return problem(400, "expected {platform?, token}") }
            markInvalid(platform: body.platform ?? platform, token: body.token)
            return .json(200, ["invalidated": true])
        case ("POST", "/_sim/apns-environment"):
            guard let body = decode(EnvironmentRequest.self, request.body) else {
                return problem(400, "expected {token, environment: production|sandbox}")
            }
            setAPNsTokenEnvironment(body.token, body.environment)
            return .json(200, ["environment": body.environment.rawValue])
        case ("POST", "/_sim/subscriptions"):
            let body = request.body.isEmpty ? SubscriptionRequest() : decode(SubscriptionRequest.self, request.body)
            guard let body else { return problem(400, "expected {applicationServerKey?}") }
            var key: Data?
            if let text = body.applicationServerKey {
                guard let bytes = Base64URL.decode(text), bytes.count == 65 else {
                    return problem(400, "applicationServerKey must be a base64url 65-byte P-256 public key")
                }
                key = bytes
            }
            return .encoded(201, newWebPushSubscription(applicationServerKey: key))
        default:
            return problem(404, "unknown control endpoint \(request.method) \(request.path)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: Data) -> T? {
        try? JSONDecoder().decode(type, from: body)
    }

    private func problem(_ status: Int, _ message: String) -> SimulatorResponse {
        .json(status, ["error": message])
    }
}
