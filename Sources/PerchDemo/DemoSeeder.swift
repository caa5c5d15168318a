import Foundation
import PerchCore
import PerchStore
import Synchronization

/// Writes a ``DemoPopulation`` through the store's real paths — `register` (sealed tokens, blind
/// index, consent history), `setConsent`, `setUserAttributes`, `record` — concurrently, so the
/// registry holds what real clients would have sent. Then runs hygiene, which marks the long-unseen
/// tokens stale or expired.
public struct DemoSeeder: Sendable {
    let store: any PerchStore
    let appId: String
    /// Registrations in flight at once: the store commits concurrent writes in groups.
    var concurrency = 32
    /// Called with a line of progress now and then.
    let progress: @Sendable (String) -> Void

    public init(store: any PerchStore, appId: String, progress: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.appId = appId
        self.progress = progress
    }

    /// Seeds everything as of `now` and answers the hygiene report.
    @discardableResult
    public func seed(_ population: DemoPopulation, devices: DemoDevices, now: Date) async throws -> HygieneReport {
        let installations = population.installations
        let step = max(1, installations.count / 10)
        let done = Tally()
        try await concurrently(installations, width: 64) { installation in
            try await register(installation, destination: devices.destinations[installation.index], material: devices.material, now: now)
            let count = done.increment()
            if count % step == 0 || count == installations.count {
                progress("installations \(count) / \(installations.count)")
            }
        }
        try await concurrently(population.users, width: 64) { user in
            _ = try await store.setUserAttributes(appId: appId, userId: user.userId, attributes: user.attributes, now: now)
        }
        progress("user attributes \(population.users.count) / \(population.users.count)")
        let events = installations.flatMap { installation in
            installation.events.map { event in
                ClientEvent(type: event.type, installationId: installation.installationId, value: event.value, currency: event.currency,
                            occurredAt: now.addingTimeInterval(-event.daysAgo * 86_400))
            }
        }
        let batches = stride(from: 0, to: events.count, by: 500).map { Array(events[$0..<min(events.count, $0 + 500)]) }
        try await concurrently(batches, width: 4) { batch in
            _ = try await store.record(appId: appId, events: batch, now: now)
        }
        progress("event history \(events.count) events")
        return try await store.runHygiene(policy: HygienePolicy(), now: now, dryRun: false)
    }

    /// Registers one installation as its app last did, `lastSeenDaysAgo` before `now`, with its consent.
    func register(_ installation: DemoInstallation, destination: PushDestination, material: DemoTokenMaterial, now: Date) async throws {
        let seenAt = now.addingTimeInterval(-installation.lastSeenDaysAgo * 86_400)
        let consent: ConsentStatus? = switch installation.consent {
        case .notAsked: nil
        case .denied: .denied
        case .granted, .revoked: .granted
        }
        let registration = TokenRegistration(
            installationId: installation.installationId, destination: destination, userId: installation.userId,
            appVersion: installation.appVersion, locale: installation.locale, timezone: installation.timezone, consent: consent)
        _ = try await store.register(appId: appId, registration, now: seenAt)
        for kind in installation.kinds {
            var other = registration
            other.kind = kind
            other.destination = .apns(token: material.apnsToken(installation.index, kind: kind), environment: .production)
            // A running activity's update token came in within the hour (it dies 12 hours after); the others with the device's.
            let registeredAt = kind.activityId == nil ? seenAt : now.addingTimeInterval(-Double(installation.index % 60) * 60)
            _ = try await store.register(appId: appId, other, now: registeredAt)
        }
        if installation.consent == .revoked, let revoked = installation.events.first(where: { $0.type == .permissionRevoked }) {
            _ = try await store.setConsent(appId: appId, installationId: installation.installationId,
                                           record: ConsentRecord(status: .revoked, source: "system-settings",
                                                                 at: now.addingTimeInterval(-revoked.daysAgo * 86_400)))
        }
    }

    /// Runs `body` over `items` with at most `width` calls in flight.
    func concurrently<T: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (T) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(width, items.count) {
                let item = items[next]
                next += 1
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                if next < items.count {
                    let item = items[next]
                    next += 1
                    group.addTask { try await body(item) }
                }
            }
        }
    }
}

/// A count shared by concurrent tasks.
private final class Tally: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds one and answers the new count.
    func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
}
