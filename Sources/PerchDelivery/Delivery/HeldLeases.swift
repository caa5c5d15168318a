import PerchStore
import Synchronization

/// The claims a lane holds while its batch is in flight: the batch's, and the next batch's once it is claimed ahead.
final class HeldLeases: Sendable {
    private let leases: Mutex<[DeliveryLease]>

    init(_ claimed: [ClaimedDelivery]) {
        leases = Mutex(claimed.map { DeliveryLease($0) })
    }

    /// Holds `claimed` too, from now on.
    func add(_ claimed: [ClaimedDelivery]) {
        let more = claimed.map { DeliveryLease($0) }
        leases.withLock { $0 += more }
    }

    var all: [DeliveryLease] { leases.withLock { $0 } }
}
