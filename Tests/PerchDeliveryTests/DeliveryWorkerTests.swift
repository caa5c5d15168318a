import Foundation
import Logging
import PerchCore
import PerchGateways
import PerchStore
import PerchTestSupport
import ServiceLifecycle
import Synchronization
import Testing
@testable import PerchDelivery

/// The moving parts of sending — the delivery worker, the campaign scheduler and the process lease — on a real store
/// with a manual clock and a scripted gateway: minutes of lease time pass in milliseconds, and nothing leaves the process.
@Suite("Delivery worker, scheduler and lease with a manual clock")
struct DeliveryWorkerTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a batch in flight longer than its lease stays its worker's: the lease is extended and no other worker sends it again",
          arguments: TestBackend.allCases)
    func slowBatchKeepsItsLease(backend: TestBackend) async throws {
        let clock = ManualClock(start: Self.t0)
        let opened = try await OpenedTestStore.open(backend)
        let store = opened.store
        let (app, campaign) = try await Self.runningCampaign(store, tokens: 3, clock: clock)
        let gateway = ScriptedGateway(holding: true)
        let worker = Self.worker(store, gateway, clock: clock, lease: .seconds(30))

        let batch = Task { try await worker.runOnce() }
        try await eventually("three sends in flight, the lease's renewal asleep") { gateway.inFlight == 3 && clock.sleeping == 1 }
        // The endpoint stays silent for two minutes, four lease lengths: the worker extends its claim every ten seconds.
        for _ in 0..<12 {
            clock.advance(by: .seconds(10))
            try await eventually("the lease extended and its renewal asleep again") { clock.sleeping == 1 }
            let another = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: clock.date)
            #expect(another.isEmpty, "another worker finds nothing due \(clock.now.offset) in")
        }
        gateway.release()
        #expect(try await batch.value == 3)
        #expect(gateway.sent == 3, "each token was sent to once")
        let counts = try await store.campaignCounts(appId: app, campaignId: campaign, now: clock.date)
        #expect(counts.attempted == 3 && counts.accepted == 3 && counts.queued == 0, "\(counts)")
        #expect(try await store.campaign(appId: app, id: campaign)?.status == .completed)
    }

    @Test("a lane claims its next batch while one is in flight and holds both; at shutdown the batch claimed ahead goes back unsent, not an attempt",
          arguments: TestBackend.allCases)
    func claimsAhead(backend: TestBackend) async throws {
        let clock = ManualClock(start: Self.t0)
        let opened = try await OpenedTestStore.open(backend)
        let store = opened.store
        let (app, campaign) = try await Self.runningCampaign(store, tokens: 9, clock: clock)
        let gateway = ScriptedGateway(holding: true)
        var configuration = DeliveryConfiguration()
        configuration.lease = .seconds(30)
        (configuration.batchSize, configuration.concurrency, configuration.lanes) = (3, 3, 1)
        let worker = Self.worker(store, gateway, clock: clock, configuration: configuration)
        let group = ServiceGroup(services: [worker], logger: Logger(label: "perch.test.worker"))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually("one batch in flight, the next claimed ahead (a claim counts an attempt), the lease's renewal asleep") {
                guard gateway.inFlight == 3, clock.sleeping == 1 else { return false }
                return try await store.campaignCounts(appId: app, campaignId: campaign, now: clock.date).attempted == 6
            }
            // Both batches stay the worker's for two minutes, four lease lengths: another worker only finds the last three.
            for _ in 0..<12 {
                clock.advance(by: .seconds(10))
                try await eventually("the lease extended and its renewal asleep again") { clock.sleeping == 1 }
            }
            let others = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: clock.date)
            #expect(others.count == 3, "six rows are held: the batch in flight and the one claimed ahead")
            await group.triggerGracefulShutdown()
            gateway.release()
            try await tasks.waitForAll()
        }
        #expect(gateway.sent == 3, "only the batch in flight was sent")
        let counts = try await store.campaignCounts(appId: app, campaignId: campaign, now: clock.date)
        #expect(counts.accepted == 3 && counts.queued == 6, "\(counts)")
        #expect(counts.attempted == 6, "the three sent and the three the other worker holds: the batch given back is no attempt")
        let givenBack = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: clock.date)
        #expect(givenBack.count == 3 && givenBack.allSatisfy { $0.attempt == 1 }, "due again at once, as a first attempt")
    }

    @Test("a worker runs no more lanes than it may have sends in flight, and its lanes' shares stay within that concurrency",
          arguments: [(4, 64, 4, 16), (4, 2, 2, 1), (2, 1, 1, 1), (3, 10, 3, 3), (1, 5, 1, 5)])
    func lanesWithinConcurrency(lanes: Int, concurrency: Int, running: Int, perLane: Int) {
        var configuration = DeliveryConfiguration()
        (configuration.lanes, configuration.concurrency) = (lanes, concurrency)
        #expect(configuration.runningLanes == running)
        #expect(configuration.laneConcurrency == perLane)
        for lanes in 1...8 {
            for concurrency in 1...20 {
                (configuration.lanes, configuration.concurrency) = (lanes, concurrency)
                #expect(configuration.runningLanes * configuration.laneConcurrency <= concurrency, "\(lanes) lanes, \(concurrency) in flight")
            }
        }
    }

    @Test("a worker sends a batch and records each answer: accepted, and a dead token retired", arguments: TestBackend.allCases)
    func recordsAnswers(backend: TestBackend) async throws {
        let clock = ManualClock(start: Self.t0)
        let opened = try await OpenedTestStore.open(backend)
        let store = opened.store
        let (app, campaign) = try await Self.runningCampaign(store, tokens: 4, clock: clock)
        let dead = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
        let gateway = ScriptedGateway(holding: false, answer: { index in
            index == 0 ? .retireToken(reason: dead, timestamp: nil) : .accepted(gatewayMessageId: "apns-\(index)")
        })
        let worker = Self.worker(store, gateway, clock: clock, lease: .seconds(30))

        #expect(try await worker.runOnce() == 4)
        #expect(try await worker.runOnce() == 0, "nothing is left to claim")
        #expect(gateway.sent == 4)
        let counts = try await store.campaignCounts(appId: app, campaignId: campaign, now: clock.date)
        #expect(counts.attempted == 4 && counts.accepted == 3 && counts.retired == 1, "\(counts)")
    }

    @Test("one scheduler passes at a time: the lease holder resolves a due campaign, another process skips")
    func schedulerHoldsItsLease() async throws {
        let clock = ManualClock(start: Self.t0)
        let opened = try await OpenedTestStore.open(.sqlite)
        let store = opened.store
        let (app, campaign) = try await Self.startedCampaign(store, tokens: 2, clock: clock)
        let first = CampaignScheduler(store: store, clock: clock, now: { clock.date }, holder: "scheduler-a", logger: Logger(label: "test"))
        let second = CampaignScheduler(store: store, clock: clock, now: { clock.date }, holder: "scheduler-b", logger: Logger(label: "test"))

        #expect(await first.runOnce())
        #expect(await second.runOnce() == false, "the other process's scheduler holds the lease")
        let counts = try await store.campaignCounts(appId: app, campaignId: campaign, now: clock.date)
        #expect(counts.tokens == 2 && counts.queued == 2, "resolved once: \(counts)")
        // The holder stops passing (it died): its lease runs out and the other takes over.
        clock.advance(by: .seconds(16))
        #expect(await second.runOnce())
    }

    @Test("a lease held by a long job is renewed while the job runs, and free once it ends and runs out")
    func processLeaseRenewsDuringAJob() async throws {
        let clock = ManualClock(start: Self.t0)
        let opened = try await OpenedTestStore.open(.sqlite)
        let holder = ProcessLease(store: opened.store, name: "perch.test-job", holder: "a", duration: .seconds(15))
        let other = ProcessLease(store: opened.store, name: "perch.test-job", holder: "b", duration: .seconds(15))
        #expect(try await holder.acquire(now: clock.date))
        let gate = ScriptedGateway(holding: true)

        let job = Task { try await holder.renewing(clock: clock, now: { clock.date }) { await gate.hold() } }
        try await eventually("the job running, its renewal asleep") { gate.inFlight == 1 && clock.sleeping == 1 }
        for _ in 0..<12 {
            clock.advance(by: .seconds(5))
            try await eventually("the lease renewed and its renewal asleep again") { clock.sleeping == 1 }
            #expect(try await other.acquire(now: clock.date) == false, "still held \(clock.now.offset) in")
        }
        gate.release()
        try await job.value
        clock.advance(by: .seconds(16))
        #expect(try await other.acquire(now: clock.date), "once the job ended its lease ran out")
    }

    // MARK: - Fixtures

    static func worker(_ store: any PerchStore, _ gateway: ScriptedGateway, clock: ManualClock, lease: Duration) -> DeliveryWorker<ManualClock> {
        var configuration = DeliveryConfiguration()
        configuration.lease = lease
        return worker(store, gateway, clock: clock, configuration: configuration)
    }

    static func worker(_ store: any PerchStore, _ gateway: ScriptedGateway, clock: ManualClock,
                       configuration: DeliveryConfiguration) -> DeliveryWorker<ManualClock> {
        DeliveryWorker(store: store, gateways: ScriptedRoutes(gateway: gateway), configuration: configuration, clock: clock,
                              now: { clock.date }, logger: Logger(label: "perch.test.worker"))
    }

    /// An app with `count` granted APNs installations and a campaign to all of them, started (not yet resolved).
    static func startedCampaign(_ store: any PerchStore, tokens count: Int, clock: ManualClock) async throws -> (app: String, campaign: String) {
        let app = try await store.createApp(name: "Worker", bundleId: nil, webOrigin: nil, now: clock.date).app.id
        for index in 0..<count {
            let registration = TokenRegistration(installationId: "i\(index)", destination: .apns(token: Tokens.apns(index), environment: .production),
                                                 timezone: "UTC", consent: .granted)
            _ = try await store.register(appId: app, registration, now: clock.date)
        }
        let definition = CampaignDefinition(name: "w", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"))
        let created = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: clock.date)
        _ = try await store.startCampaign(appId: app, id: created.id, startAt: clock.date, now: clock.date)
        return (app, created.id)
    }

    /// As above, resolved by a scheduler pass: one queued delivery per token.
    static func runningCampaign(_ store: any PerchStore, tokens count: Int, clock: ManualClock) async throws -> (app: String, campaign: String) {
        let (app, campaign) = try await startedCampaign(store, tokens: count, clock: clock)
        let scheduler = CampaignScheduler(store: store, clock: clock, now: { clock.date }, holder: "test", logger: Logger(label: "test"))
        #expect(await scheduler.runOnce())
        let counts = try await store.campaignCounts(appId: app, campaignId: campaign, now: clock.date)
        #expect(counts.queued == count, "\(counts)")
        return (app, campaign)
    }
}
