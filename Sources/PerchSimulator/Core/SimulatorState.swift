import Crypto
import Foundation
import PerchCore
import Synchronization

/// Everything the simulated services share and the control API reads: counters, the received log,
/// invalid tokens, injected faults, issued credentials and subscriptions. Thread-safe; the lock is
/// never held across crypto or I/O.
final class SimulatorState: Sendable {
    private struct PushDigest: Hashable {
        var token: String
        var digest: SHA256.Digest
    }

    private struct InjectedFault {
        var fault: Fault
        var remaining: Int
    }

    private struct Storage {
        var counters: [Platform: SimulatorCounters] = [:]
        var digests: [Platform: Set<PushDigest>] = [:]
        var received: [Platform: [ReceivedPush]] = [:]
        var invalidTokens: [Platform: [String: Date]] = [:]
        var apnsEnvironments: [String: APNsEnvironment] = [:]
        var injected: [Platform: [InjectedFault]] = [:]
        var generator: SeededGenerator
        var accessTokens: [String: Date] = [:]
        var subscriptions: [String: WebPushSubscriptionKeys] = [:]
        var providerTokens: [String: Double] = [:]
        var lastNewProviderToken: Date?
        var vapidTokens: Set<String> = []
    }

    /// Verified JWTs remembered to skip re-verifying; the caches are cleared when they grow past this.
    private static let credentialCacheLimit = 4096

    private let storage: Mutex<Storage>
    private let plan: FaultPlan
    private let historyLimit: Int
    private let tracksTokens: Bool

    init(plan: FaultPlan, invalidTokens: [Platform: Set<String>], historyLimit: Int, tracksTokens: Bool = true, now: Date) {
        var storage = Storage(generator: SeededGenerator(seed: plan.seed))
        for (platform, tokens) in invalidTokens {
            storage.invalidTokens[platform] = Dictionary(uniqueKeysWithValues: tokens.map { ($0, now) })
        }
        self.storage = Mutex(storage)
        self.plan = plan
        self.historyLimit = max(0, historyLimit)
        self.tracksTokens = tracksTokens
    }

    // MARK: faults

    /// Queues `fault` for the next `count` push requests of `platform`.
    func inject(_ fault: Fault, platform: Platform, count: Int) {
        guard count > 0 else { return }
        storage.withLock { $0.injected[platform, default: []].append(InjectedFault(fault: fault, remaining: count)) }
    }

    /// Answers one push request under the fault plan: a fault replaces the answer (and is counted),
    /// a GOAWAY follows the real answer, and an invalid-token roll lets `judge` treat the token as dead.
    func answer(
        _ platform: Platform,
        fault faultAnswer: (Fault) -> SimulatorAction,
        judge: (_ invalidateToken: Bool) -> SimulatorAction
    ) -> SimulatorAction {
        switch nextEffect(for: platform) {
        case .fault(.goAway)?:
            countFault(platform)
            return judge(false).followedByGoAway()
        case .fault(let fault)?:
            countFault(platform)
            return faultAnswer(fault)
        case .invalidToken?:
            return judge(true)
        case nil:
            return judge(false)
        }
    }

    /// The fault for this request, if any: an injected one first, else a roll of the plan.
    func nextEffect(for platform: Platform) -> FaultPlan.Effect? {
        storage.withLock { storage in
            if var queue = storage.injected[platform], !queue.isEmpty {
                let fault = queue[0].fault
                queue[0].remaining -= 1
                if queue[0].remaining <= 0 { queue.removeFirst() }
                storage.injected[platform] = queue
                return .fault(fault)
            }
            for rule in plan.rules where rule.platform == nil || rule.platform == platform {
                let roll = Double(storage.generator.next() >> 11) / Double(1 << 53)
                if roll < rule.rate { return rule.effect }
            }
            return nil
        }
    }

    // MARK: counters

    func countReceived(_ platform: Platform) {
        storage.withLock { $0.counters[platform, default: .init()].received += 1 }
    }

    func countRejected(_ platform: Platform) {
        storage.withLock { $0.counters[platform, default: .init()].rejected += 1 }
    }

    func countConnection(_ platform: Platform) {
        storage.withLock { $0.counters[platform, default: .init()].connections += 1 }
    }

    func countFault(_ platform: Platform) {
        storage.withLock { $0.counters[platform, default: .init()].faults += 1 }
    }

    /// Counts an accepted push, its token and whether it repeats an earlier (token, payload) pair.
    func recordAccepted(_ push: ReceivedPush) {
        let digest = tracksTokens ? PushDigest(token: push.token, digest: SHA256.hash(data: push.body)) : nil
        storage.withLock { storage in
            storage.counters[push.platform, default: .init()].accepted += 1
            if let digest {
                storage.counters[push.platform, default: .init()].perToken[push.token, default: 0] += 1
                if !storage.digests[push.platform, default: []].insert(digest).inserted {
                    storage.counters[push.platform, default: .init()].duplicates += 1
                }
            }
            if historyLimit > 0 {
                // Mutated in place: copying the log out and back would cost O(history) per push.
                storage.received[push.platform, default: []].append(push)
                if let count = storage.received[push.platform]?.count, count >= historyLimit * 2 {
                    storage.received[push.platform]?.removeFirst(count - historyLimit)
                }
            }
        }
    }

    func counters(_ platform: Platform) -> SimulatorCounters {
        storage.withLock { $0.counters[platform] ?? .init() }
    }

    func received(_ platform: Platform) -> [ReceivedPush] {
        storage.withLock { Array(($0.received[platform] ?? []).suffix(historyLimit)) }
    }

    /// Zeroes counters, the duplicate memory and the received log; keeps tokens, faults and credentials.
    func resetCounters() {
        storage.withLock { storage in
            storage.counters = [:]
            storage.digests = [:]
            storage.received = [:]
            storage.providerTokens = [:]
            storage.vapidTokens = []
        }
    }

    // MARK: tokens

    func markInvalid(_ platform: Platform, token: String, at date: Date) {
        storage.withLock { storage in
            if storage.invalidTokens[platform]?[token] == nil {
                storage.invalidTokens[platform, default: [:]][token] = date
            }
        }
    }

    /// When the token was invalidated; `nil` when it is valid.
    func invalidation(_ platform: Platform, token: String) -> Date? {
        storage.withLock { $0.invalidTokens[platform]?[token] }
    }

    func setAPNsEnvironment(_ environment: APNsEnvironment, for token: String) {
        storage.withLock { $0.apnsEnvironments[token] = environment }
    }

    func apnsEnvironment(of token: String) -> APNsEnvironment? {
        storage.withLock { $0.apnsEnvironments[token] }
    }

    // MARK: credentials

    /// The `iat` of an APNs provider token verified before.
    func verifiedProviderTokenIssue(_ jwt: String) -> Double? {
        storage.withLock { $0.providerTokens[jwt] }
    }

    /// Remembers a verified provider token. Returns `false`, remembering nothing, when it is new and
    /// arrives sooner than `minimumInterval` after the previous new token.
    func rememberProviderToken(_ jwt: String, issuedAt: Double, at now: Date, minimumInterval: Duration?) -> Bool {
        storage.withLock { storage in
            if storage.providerTokens[jwt] != nil { return true }
            if let minimumInterval, let last = storage.lastNewProviderToken {
                let seconds = Double(minimumInterval.components.seconds)
                    + Double(minimumInterval.components.attoseconds) / 1e18
                if now.timeIntervalSince(last) < seconds { return false }
            }
            if storage.providerTokens.count >= Self.credentialCacheLimit { storage.providerTokens = [:] }
            storage.providerTokens[jwt] = issuedAt
            storage.lastNewProviderToken = now
            storage.counters[.apns, default: .init()].authTokens += 1
            return true
        }
    }

    func rememberVAPIDToken(_ jwt: String) {
        storage.withLock { storage in
            if storage.vapidTokens.count >= Self.credentialCacheLimit { storage.vapidTokens = [] }
            if storage.vapidTokens.insert(jwt).inserted {
                storage.counters[.webpush, default: .init()].authTokens += 1
            }
        }
    }

    /// Issues a fresh FCM access token valid until `expiry`.
    func issueAccessToken(expiry: Date) -> String {
        let token = "ya29.sim." + Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
        storage.withLock { storage in
            storage.accessTokens = storage.accessTokens.filter { $0.value > expiry.addingTimeInterval(-7200) }
            storage.accessTokens[token] = expiry
            storage.counters[.fcm, default: .init()].authTokens += 1
        }
        return token
    }

    func accessTokenExpiry(_ token: String) -> Date? {
        storage.withLock { $0.accessTokens[token] }
    }

    func addSubscription(id: String, keys: WebPushSubscriptionKeys) {
        storage.withLock { $0.subscriptions[id] = keys }
    }

    func subscription(id: String) -> WebPushSubscriptionKeys? {
        storage.withLock { $0.subscriptions[id] }
    }
}
