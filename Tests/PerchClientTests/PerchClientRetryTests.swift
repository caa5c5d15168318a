import Foundation
import Testing
import PerchClient

/// Retries against a loopback listener that drops connections and answers 503 before letting
/// requests through to a real `perch serve`.
@Suite("PerchClient retries", .serialized)
struct PerchClientRetryTests {
    static func client(_ base: URL, key: String, folder: URL, retry: RetryPolicy) -> PerchClient {
        PerchClient(configuration: .init(baseURL: base, publishableKey: key, retry: retry),
                    storage: FileInstallationStorage(url: folder.appendingPathComponent("retry-\(UUID().uuidString).json")))
    }

    @Test func droppedConnectionsAnd503AreRetriedHonouringRetryAfterUntilPerchAnswers() async throws {
        try await PerchServeProcess.with { server in
            let listener = FlakyListener(steps: [
                .drop,
                .answer(status: 503, retryAfter: "1", body: #"{"error":{"code":"internal","message":"overloaded"}}"#),
                .drop,
            ], upstream: server.baseURL)
            let base = try await listener.start()
            do {
                let perch = Self.client(base, key: server.publishableKey, folder: server.folder,
                                        retry: RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(20), maxDelay: .seconds(5)))

                let registration = try await perch.register(fcmToken: "retry-" + String(repeating: "Zq8-", count: 40))
                #expect(registration.created && registration.status == "active")
                let arrivals = listener.arrivals
                #expect(arrivals.count == 4, "drop, 503, drop, then through")
                #expect(arrivals.allSatisfy { $0.method == "POST" && $0.path == "/v1/tokens" })
                if arrivals.count == 4 {
                    #expect(arrivals[2].at - arrivals[1].at >= .seconds(1), "Retry-After: 1 was honoured")
                }
                let stored = try await server.read("v1/installations/\(registration.installationId)")
                #expect(stored["tokenId"] as? String == registration.id, "the retried registration reached Perch once, as one row")
            } catch {
                try? await listener.stop()
                throw error
            }
            try await listener.stop()
        }
    }

    @Test func theClientGivesUpWhenTheServerKeepsFailingAndNeverRetriesA4xx() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-client-retry-\(UUID().uuidString)")
        let failing = FlakyListener(steps: Array(repeating: .answer(status: 503, retryAfter: nil, body: "{}"), count: 3), upstream: nil)
        let failingBase = try await failing.start()
        let perch = Self.client(failingBase, key: "pk_test", folder: folder,
                                retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10)))
        do {
            try await perch.track("app_opened")
            Issue.record("three 503s succeeded")
        } catch let error as PerchClientError {
            #expect(error.code == .server && error.status == 503 && error.attempts == 3)
        }
        #expect(failing.arrivals.count == 3)
        try await failing.stop()

        let refusing = FlakyListener(steps: [
            .answer(status: 422, retryAfter: "0", body: #"{"error":{"code":"invalid_field","message":"nope","field":"events[0].type"}}"#),
        ], upstream: nil)
        let refusingBase = try await refusing.start()
        let again = Self.client(refusingBase, key: "pk_test", folder: folder, retry: RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(10)))
        do {
            try await again.track("app_opened")
            Issue.record("a 422 succeeded")
        } catch let error as PerchClientError {
            #expect(error.code == .rejected && error.serverCode == "invalid_field" && error.field == "events[0].type" && error.attempts == 1)
        }
        #expect(refusing.arrivals.count == 1, "a 4xx is never retried")
        try await refusing.stop()

        let unreachable = Self.client(URL(string: "http://127.0.0.1:\(try await Self.closedPort())")!, key: "pk_test", folder: folder,
                                      retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10)))
        do {
            try await unreachable.track("app_opened")
            Issue.record("a closed port answered")
        } catch let error as PerchClientError {
            #expect(error.code == .network && error.attempts == 2)
        }
    }

    /// A loopback port nothing listens on: bound once, then released.
    static func closedPort() async throws -> Int {
        let listener = FlakyListener(steps: [], upstream: nil)
        let url = try await listener.start()
        try await listener.stop()
        return url.port ?? 9
    }
}
