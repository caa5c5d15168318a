import Hummingbird
import NIOCore
import PerchStore

/// The per-request context: Hummingbird's core storage plus who is calling.
public struct PerchRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` from the bearer key; `nil` on public routes.
    public var principal: Principal?

    /// The address of the peer that opened the connection (a proxy's, behind one); for rate limits.
    public var peerAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies are read by ``JSONBody`` with per-route limits.
    public var maxUploadSize: Int { 1 << 20 }
}
