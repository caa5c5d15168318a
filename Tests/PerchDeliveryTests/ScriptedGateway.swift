import PerchCore
import PerchGateways
import Synchronization

/// A gateway that answers as scripted (by the order sends arrive in) and, while holding, keeps every send waiting
/// until `release()`: a slow endpoint without a network.
final class ScriptedGateway: PushGateway, Sendable {
    let platform: Platform = .apns
    private struct State {
        var holding: Bool
        var arrived = 0
        var inFlight = 0
        var sent = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>
    private let answer: @Sendable (Int) -> DeliveryOutcome

    init(holding: Bool, answer: @escaping @Sendable (Int) -> DeliveryOutcome = { .accepted(gatewayMessageId: "apns-\($0)") }) {
        state = Mutex(State(holding: holding))
        self.answer = answer
    }

    var inFlight: Int { state.withLock { $0.inFlight } }
    var sent: Int { state.withLock { $0.sent } }

    func send(_ message: PushMessage, to destination: PushDestination, options: PushSendOptions) async -> DeliveryOutcome {
        let index = state.withLock { state in
            state.arrived += 1
            return state.arrived - 1
        }
        await hold()
        state.withLock { $0.sent += 1 }
        return answer(index)
    }

    /// Waits while the gateway holds.
    func hold() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waits = state.withLock { state in
                guard state.holding else { return false }
                state.inFlight += 1
                state.waiting.append(continuation)
                return true
            }
            if !waits { continuation.resume() }
        }
    }

    /// Lets every waiting send answer, and every later one at once.
    func release() {
        let waiting = state.withLock { state in
            state.holding = false
            state.inFlight = 0
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
