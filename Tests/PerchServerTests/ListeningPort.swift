import Foundation

/// A `perch` process started on port 0 with `PERCH_PORT_FILE`: the system picks a free port and the process writes
/// it to the file once it listens, so no test guesses a port that another process may hold.
enum ListeningPort {
    /// A fresh port file path in `folder`.
    static func file(in folder: URL, name: String) -> URL {
        folder.appendingPathComponent("\(name)-\(UUID().uuidString).port")
    }

    /// The environment that makes `perch serve` (or `perch worker`'s health port) listen on a free port and report it.
    static func environment(file: URL, variable: String = "PERCH_PORT") -> [String: String] {
        [variable: "0", "PERCH_PORT_FILE": file.path]
    }

    /// Waits until `process` has written its port to `file` (at most `timeout` of real time: a deadline for a stuck
    /// start, not a measurement); throws when the process exits first.
    static func read(_ file: URL, of process: Process, timeout: Duration = .seconds(120)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return port
            }
            guard process.isRunning else { throw Failure(description: "the process exited (\(process.terminationStatus)) before it listened") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure(description: "no port in \(file.path) after \(timeout)")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
