import NIOCore
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the simulator does to a connection, whichever HTTP version it speaks.
enum SimulatorConnection {
    /// Runs `work` on the event loop after `delay` (at once when there is none).
    static func after(_ delay: Duration, on eventLoop: any EventLoop, _ work: @escaping () -> Void) {
        guard delay > .zero else { return work() }
        eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { work() }
    }

    /// Closes the TCP connection abortively: SO_LINGER 0 makes close send RST, and closing below the TLS handler skips
    /// close_notify, so the client sees a reset, not an orderly shutdown.
    static func reset(_ connection: any Channel) {
        if let provider = connection as? any SocketOptionProvider {
            _ = provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        }
        if let tls = try? connection.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self) {
            tls.close(promise: nil)
        } else {
            connection.close(promise: nil)
        }
    }
}
