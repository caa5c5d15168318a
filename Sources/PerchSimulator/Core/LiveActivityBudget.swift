import Foundation
import Synchronization

/// APNs' hourly budget of priority-10 Live Activity updates, per activity token: each accepted push is spent from a
/// sliding hour, and a push beyond the budget is refused until the oldest one leaves the hour.
final class LiveActivityBudget: Sendable {
    private let perHour: Int
    private let spent = Mutex<[String: [Date]]>([:])

    init(perHour: Int) {
        self.perHour = max(0, perHour)
    }

    /// Spends one push of `token` at `at`; `false` (nothing spent) when the last hour's budget is used up.
    func spend(token: String, at: Date) -> Bool {
        spent.withLock { spent in
            let hourAgo = at.addingTimeInterval(-3600)
            var times = (spent[token] ?? []).filter { $0 > hourAgo }
            guard times.count < perHour else {
                spent[token] = times
                return false
            }
            times.append(at)
            spent[token] = times
            return true
        }
    }
}
