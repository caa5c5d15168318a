import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PerchTestSupport
import Testing
import PerchCore
@testable import PerchServer
@testable import PerchDelivery
import PerchHealth

/// `GET /metrics` names every app and its volumes: it is for the operator's Prometheus, not for the internet.
@Suite("Metrics access")
struct MetricsAccessTests {
    static func get(_ client: TestServer.Client, authorization: String? = nil, origin: String? = nil) async throws -> (HTTPResponse.Status, HTTPFields, String) {
        var headers = HTTPFields()
        if let authorization { headers[.authorization] = authorization }
        if let origin { headers[.origin] = origin }
        return try await client.client.execute(uri: "/metrics", method: .get, headers: headers, body: nil) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }

    @Test(arguments: TestBackend.allCases) func theAPIPortServesMetricsOnlyWithTheMetricsToken(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        try await server.run { client in
            let app = try await client.createApp()
            #expect(try await Self.get(client).0 == .unauthorized)
            #expect(try await Self.get(client, authorization: "Bearer wrong-token").0 == .unauthorized)
            #expect(try await Self.get(client, authorization: "Bearer \(app.secret)").0 == .unauthorized, "an app's key is not the metrics token")
            #expect(try await Self.get(client, authorization: "Bearer \(TestServer.adminKey)").0 == .unauthorized)
            let (status, headers, text) = try await Self.get(client, authorization: "Bearer \(TestServer.metricsToken)", origin: "https://evil.example")
            #expect(status == .ok)
            #expect(text.contains("perch_http_request_duration_seconds"))
            #expect(headers[.accessControlAllowOrigin] == nil, "no page on another site may read the metrics")
            // The API's cross-origin access is unchanged.
            var fromSite = HTTPFields()
            fromSite[.origin] = "https://shop.example"
            let health = try await client.client.execute(uri: "/healthz", method: .get, headers: fromSite, body: nil) { $0.headers }
            #expect(health[.accessControlAllowOrigin] == "*")
        }
    }

    @Test(arguments: TestBackend.allCases) func withoutATokenTheAPIPortDoesNotServeMetrics(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        var api = server.api
        api.metricsAccess = MetricsAccess(token: nil, openWithoutToken: false)
        let router = PerchApplication.router(api: api, store: server.store, adminKey: TestServer.adminKey)
        try await Application(router: router).test(.router) { client in
            for authorization in [nil, "Bearer anything", "Bearer "] as [String?] {
                var headers = HTTPFields()
                if let authorization { headers[.authorization] = authorization }
                let status = try await client.execute(uri: "/metrics", method: .get, headers: headers) { $0.status }
                #expect(status == .notFound)
            }
        }
    }

    @Test(arguments: TestBackend.allCases) func theMetricsPortIsOpenUnlessATokenIsSet(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        let open = HealthRouter.make(store: server.store, metrics: server.metrics)
        try await Application(router: open).test(.router) { client in
            let metrics = try await client.execute(uri: "/metrics", method: .get) { $0.status }
            let health = try await client.execute(uri: "/healthz", method: .get) { $0.status }
            #expect(metrics == .ok && health == .ok)
        }
        let guarded = HealthRouter.make(store: server.store, metrics: server.metrics, metricsToken: TestServer.metricsToken)
        try await Application(router: guarded).test(.router) { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get) { $0.status }
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(TestServer.metricsToken)"
            let withToken = try await client.execute(uri: "/metrics", method: .get, headers: headers) { $0.status }
            #expect(anonymous == .unauthorized)
            #expect(withToken == .ok)
        }
    }

    @Test func unknownGatewayReasonsShareOneLabel() async throws {
        let metrics = PerchMetrics()
        for index in 0..<50 {
            metrics.delivery(platform: "apns", outcome: "message_error",
                             reason: DeliveryFailureReason(platform: .apns, status: 400, code: "Invented\(index)").metricLabel)
        }
        metrics.delivery(platform: "apns", outcome: "retired", reason: DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered").metricLabel)
        let text = try await Self.exposition(metrics)
        #expect(text.contains("perch_deliveries_total{platform=\"apns\",outcome=\"message_error\",reason=\"other\"} 50"), "\(text)")
        #expect(text.contains("reason=\"Unregistered\""))
        #expect(!text.contains("Invented"))
    }

    static func exposition(_ metrics: PerchMetrics) async throws -> String {
        let server = try TestServer()
        let router = HealthRouter.make(store: server.store, metrics: metrics)
        return try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
    }
}
