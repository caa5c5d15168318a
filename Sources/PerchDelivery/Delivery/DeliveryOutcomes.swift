import Synchronization

/// Tells the requests of this process that wait on a send (`POST /v1/send` with `wait`) when its deliveries were
/// recorded, so they read the outcome at once instead of polling the store. The delivery worker of the same process
/// calls ``recorded(campaignIds:)`` after each batch it records; a send whose deliveries another process records (a
/// `perch worker` beside `perch serve --api-only`) hears nothing here, so a waiter also wakes after `timeout` and reads
/// again.
public final class DeliveryOutcomes: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var waiters: [String: [Waiter]] = [:]
        var nextId = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every request waiting on one of these campaigns (a transactional send is a campaign).
    public func recorded(campaignIds: some Sequence<String>) {
        let woken = state.withLock { state in
            campaignIds.flatMap { state.waiters.removeValue(forKey: $0) ?? [] }
        }
        for waiter in woken { waiter.continuation.resume() }
    }

    /// Returns when deliveries of `campaignId` are recorded in this process, after `timeout`, or when the task is
    /// cancelled — whichever comes first. The caller reads the store again in every case.
    public func wait(for campaignId: String, timeout: Duration) async {
        let id = state.withLock { state in
            state.nextId += 1
            return state.nextId
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let registered = self.state.withLock { state in
                            guard !Task.isCancelled else { return false }
                            state.waiters[campaignId, default: []].append(Waiter(id: id, continuation: continuation))
                            return true
                        }
                        if !registered { continuation.resume() }
                    }
                } onCancel: {
                    self.resume(id, of: campaignId)
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// How many requests wait on `campaignId` now.
    func waiting(for campaignId: String) -> Int { state.withLock { $0.waiters[campaignId]?.count ?? 0 } }

    /// Wakes one waiter (its wait timed out or was cancelled), if it is still waiting.
    private func resume(_ id: Int, of campaignId: String) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters[campaignId]?.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = state.waiters[campaignId]!.remove(at: index)
            if state.waiters[campaignId]!.isEmpty { state.waiters[campaignId] = nil }
            return waiter
        }
        waiter?.continuation.resume()
    }
}
