import Foundation
import Hummingbird
import Logging
import PerchTestSupport
import Testing
import PerchCore
import PerchStore
@testable import PerchServer
@testable import PerchDelivery

@Suite("Operations")
struct OperationsAPITests {
    @Test func theOpenAPIDocumentDescribesExactlyTheRouter() throws {
        var server = try TestServer()
        server.servesSDKExample = true  // the document lists the example page, served with --sdk-example
        let router = PerchApplication.router(api: server.api, store: server.store, adminKey: nil)
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
        #expect(routed == documented, "undocumented: \(routed.subtracting(documented)); not routed: \(documented.subtracting(routed))")
        #expect(routed.count > 10)
    }

    @Test func healthMetricsAndOpenAPIAreServed() async throws {
        try await TestServer().run { client in
            #expect(try await client.call(.get, "/healthz")["status"] == "ok")
            let app = try await client.createApp()
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: ["platform": "apns", "token": .string(Tokens.apns(1)), "installationId": "a"])
            let metrics = try await client.call(.get, "/metrics", key: TestServer.metricsToken)
            guard case .string(let text) = metrics.json else { Issue.record("metrics not text"); return }
            #expect(text.contains("perch_registrations_total 1"))
            #expect(text.contains("perch_http_request_duration_seconds_bucket"))
            let document = try await client.call(.get, "/openapi.json")
            #expect(document["openapi"] == "3.1.0")
            guard case .object(let paths)? = document["paths"] else { Issue.record("no paths"); return }
            #expect(paths["/v1/tokens"] != nil && paths["/v1/users/{userId}/export"] != nil)
        }
    }

    @Test func theHygieneServiceMarksTokensOnItsSchedule() async throws {
        let server = try TestServer()
        let app = try await server.store.createApp(name: "h", bundleId: nil, webOrigin: nil, now: Date())
        let registeredAt = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await server.store.register(appId: app.app.id, TokenRegistration(installationId: "i", destination: .fcm(token: Tokens.fcm(1))),
                                            now: registeredAt)
        let clock = ContinuousClock()
        let later = registeredAt.addingTimeInterval(31 * 86_400)
        let service = HygieneService(store: server.store, policy: HygienePolicy(interval: .milliseconds(10)), clock: clock,
                                     now: { later }, logger: Logger(label: "test"))
        let report = await service.runOnce()
        #expect(report == HygieneReport(markedStale: 1, markedExpired: 0, dryRun: false))
        #expect(try await server.store.installation(appId: app.app.id, installationId: "i")?.tokenStatus == .stale)
        // Once per period, however many processes run it: another holder (and this one) skip until the period ends.
        let elsewhere = HygieneService(store: server.store, policy: HygienePolicy(interval: .seconds(3600)), clock: clock,
                                       now: { later }, holder: "another-process", logger: Logger(label: "test"))
        let periodLater = HygieneService(store: server.store, policy: HygienePolicy(interval: .seconds(3600)), clock: clock,
                                         now: { later.addingTimeInterval(0.011) }, holder: "another-process", logger: Logger(label: "test"))
        let skipped = await elsewhere.runOnce()
        let again = await service.runOnce()
        let nextPeriod = await periodLater.runOnce()
        #expect(skipped == nil && again == nil, "the period's pass already ran")
        #expect(nextPeriod == HygieneReport(markedStale: 0, markedExpired: 0, dryRun: false), "the next period runs, in whichever process comes first")
        // The service stops when its task is cancelled, as a ServiceGroup does on shutdown.
        let task = Task { try await service.run() }
        task.cancel()
        try await task.value
    }
}
