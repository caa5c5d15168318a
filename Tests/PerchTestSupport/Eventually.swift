import Foundation

/// Waits until `condition` holds, checking every few milliseconds, for at most `timeout` of real time (a
/// deadline for a stuck test, never a measurement).
public func eventually(timeout: Duration = .seconds(30), _ what: String = "the condition", _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(try await condition()) {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(description: "timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(5))
    }
}
