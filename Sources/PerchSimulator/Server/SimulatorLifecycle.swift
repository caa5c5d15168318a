import NIOCore
import NIOPosix

/// A started simulator's resources, released together.
struct RunningSimulator: Sendable {
    let group: MultiThreadedEventLoopGroup
    let channels: [any Channel]
    let endpoints: SimulatorEndpoints

    /// Closes the listeners, then the event loop group (which closes every open connection,
    /// stalled streams included).
    func close() async throws {
        for channel in channels {
            try? await channel.close()
        }
        try await group.shutdownGracefully()
    }
}

/// Serialises start and shutdown: concurrent `start()` calls share one launch; a stopped
/// simulator stays stopped.
actor SimulatorLifecycle {
    private enum Phase {
        case idle
        case starting(Task<RunningSimulator, any Error>)
        case running(RunningSimulator)
        case stopped
    }

    private var phase = Phase.idle

    func start(_ launch: @escaping @Sendable () async throws -> RunningSimulator) async throws -> SimulatorEndpoints {
        switch phase {
        case .running(let running):
            return running.endpoints
        case .starting(let task):
            return try await task.value.endpoints
        case .stopped:
            throw SimulatorError.stopped
        case .idle:
            let task = Task { try await launch() }
            phase = .starting(task)
            let running: RunningSimulator
            do {
                running = try await task.value
            } catch {
                if case .starting = phase { phase = .idle }
                throw error
            }
            guard case .starting = phase else {
                // Shut down while starting.
                try await running.close()
                throw SimulatorError.stopped
            }
            phase = .running(running)
            return running.endpoints
        }
    }

    func shutdown() async throws {
        switch phase {
        case .idle, .stopped:
            phase = .stopped
        case .starting:
            // `start` notices and closes what it launched.
            phase = .stopped
        case .running(let running):
            phase = .stopped
            try await running.close()
        }
    }
}
