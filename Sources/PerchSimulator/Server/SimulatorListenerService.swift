import NIOCore
import ServiceLifecycle

/// One bound listener (APNs production, APNs sandbox, FCM or Web Push) as a `Service`: it serves
/// until graceful shutdown or cancellation, then closes its listening socket.
struct SimulatorListenerService: Service {
    let listener: SimulatorListener
    let channel: any Channel

    func run() async throws {
        let channel = channel
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await channel.closeFuture.get()
            } onGracefulShutdown: {
                channel.close(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
