import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `perch serve` process on loopback with its own SQLite file, and an app created in it.
final class PerchServeProcess: Sendable {
    static let adminKey = "admin-" + String(repeating: "c", count: 32)

    let process: Process
    let folder: URL
    let port: Int
    let appId: String
    let publishableKey: String
    let secretKey: String
    /// Signs `userAuth` tokens, as the app's backend would.
    let identitySecret: String

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("perch")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/perch")
    }

    private init(process: Process, folder: URL, port: Int, app: [String: Any]) throws {
        self.process = process
        self.folder = folder
        self.port = port
        guard let id = app["id"] as? String, let pk = app["publishableKey"] as? String, let sk = app["secretKey"] as? String,
              let identity = app["identitySecret"] as? String
        else {
            throw CocoaError(.coderReadCorrupt)
        }
        appId = id
        publishableKey = pk
        secretKey = sk
        identitySecret = identity
    }

    /// Starts the server on a free port, waits until it listens, creates an app with the admin key.
    static func start() async throws -> PerchServeProcess {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-client-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // PERCH_PORT=0: the system picks a free port, which the server writes to PERCH_PORT_FILE once it listens.
        let portFile = folder.appendingPathComponent("serve.port")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging([
            "PERCH_PORT": "0", "PERCH_PORT_FILE": portFile.path, "PERCH_HOST": "127.0.0.1", "PERCH_DATABASE_URL": "sqlite:perch.sqlite",
            "PERCH_ADMIN_KEY": adminKey, "PERCH_LOG_LEVEL": "warning",
        ]) { _, new in new }
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        do {
            var port: Int?
            let deadline = ContinuousClock.now + .seconds(120)  // a bound for a stuck start on a busy machine, not a measurement
            while port == nil {
                port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                guard port == nil else { break }
                guard process.isRunning, ContinuousClock.now < deadline else { throw CocoaError(.fileReadUnknown) }
                try await Task.sleep(for: .milliseconds(20))
            }
            let base = URL(string: "http://127.0.0.1:\(port!)")!
            let (app, status) = try await call(base, "POST", "v1/apps", key: adminKey, json: ["name": "Client tests"])
            guard status == 201, let object = app as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
            return try PerchServeProcess(process: process, folder: folder, port: port!, app: object)
        } catch {
            if process.isRunning { process.terminate() }
            throw error
        }
    }

    /// One plain HTTP call, for the test's own checks.
    static func call(_ base: URL, _ method: String, _ path: String, key: String, json: Any? = nil) async throws -> (Any?, Int) {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (try? JSONSerialization.jsonObject(with: data), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    /// `GET path` with the app's secret key, as a JSON object.
    func read(_ path: String) async throws -> [String: Any] {
        let (json, status) = try await Self.call(baseURL, "GET", path, key: secretKey)
        guard status == 200, let object = json as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
        return object
    }

    /// Stops the server with SIGTERM (a graceful shutdown) and removes its files.
    func stop() async {
        if process.isRunning {
            process.terminate()
            for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `body` with a fresh server, stopping it afterwards whatever happens.
    static func with(_ body: (PerchServeProcess) async throws -> Void) async throws {
        let server = try await start()
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
