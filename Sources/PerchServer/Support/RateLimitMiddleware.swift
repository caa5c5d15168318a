import Foundation
import HTTPTypes
import Hummingbird
import PerchCore

/// The per client address and per publishable key limits (both off unless the operator sets them), checked
/// after authentication on every request made with a publishable key. The per-installation limit needs the
/// installation a request names, so the routes check it (``PerchAPI/limitInstallations(_:context:)``).
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext
    let limits: RateLimits
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard case .app(let appId, .publishable)? = context.principal else { return try await next(request, context) }
        let now = now()
        if let limiter = limits.perClientAddress,
           let address = limits.policy.clientAddress(peer: context.peerAddress.flatMap(IPAddress.init),
                                                     forwardedFor: request.headers[values: .xForwardedFor].joined(separator: ",")),
           let wait = limiter.take(CollectionOfOne(RateLimitPolicy.clientBucket(address)), now: now) {
            throw PerchError.rateLimited("client address", retryAfter: wait)
        }
        // Keyed by the app: an app has one publishable key at a time (two during a rotation, which share the ceiling).
        if let limiter = limits.perPublishableKey, let wait = limiter.take(CollectionOfOne(appId), now: now) {
            throw PerchError.rateLimited("publishable key", retryAfter: wait)
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

extension PerchAPI {
    /// Counts a publishable-key request against each installation it names: 429 with `Retry-After` when any of
    /// them is out of tokens (then none is charged). The secret key is the customer's own backend: not limited here.
    func limitInstallations(_ installationIds: some Collection<String>, context: PerchRequestContext) throws {
        guard case .app(let appId, .publishable)? = context.principal, let limiter = rateLimits.perInstallation,
              !installationIds.isEmpty else { return }
        if let wait = limiter.take(installationIds.map { appId + "/" + $0 }, now: now()) {
            throw PerchError.rateLimited("installation", retryAfter: wait)
        }
    }
}
