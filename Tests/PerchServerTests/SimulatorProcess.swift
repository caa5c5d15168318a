import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import PerchCore
import PerchSimulator

/// `perch simulate` as its own process: the push services a multi-process test sends to, read through their `/_sim`
/// control API over TLS the way any outside tool would (credentials from `credentials.json`, the CA from `ca.pem`).
struct SimulatorProcess {
    let process: Process
    /// `credentials.json`: per platform, the body Perch's gateway endpoints take, and the listeners' URLs.
    let credentials: JSONValue
    let client: HTTPClient

    static func start(binary: URL, folder: URL) async throws -> SimulatorProcess {
        let state = folder.appendingPathComponent("simulator")
        let process = try launch(binary: binary, ["simulate", "--state-dir", state.path], folder: folder, name: "simulator")
        let file = state.appendingPathComponent("credentials.json")
        for _ in 0..<600 {
            if let data = FileManager.default.contents(atPath: file.path), let credentials = JSONValue(jsonText: String(decoding: data, as: UTF8.self)),
               case .string(let caPEM)? = credentials.objectValue?["apns"]?.objectValue?["caCertificate"] {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
                var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
                configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
                return SimulatorProcess(process: process, credentials: credentials, client: HTTPClient(eventLoopGroupProvider: .singleton,
                                                                                                       configuration: configuration))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw PerchError(.internalError, "perch simulate did not write \(file.path)")
    }

    /// Starts `binary` with `arguments` in `folder`, its output in `folder/<name>.log`, `environment` over the tests' own.
    static func launch(binary: URL, _ arguments: [String], folder: URL, name: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let log = folder.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        return process
    }

    /// The gateway settings body for `platform` (`apns`, `fcm`, `webpush`).
    func settings(_ platform: Platform) throws -> JSONValue {
        guard let settings = credentials.objectValue?[platform.rawValue] else {
            throw PerchError(.internalError, "credentials.json has no \(platform.rawValue) settings")
        }
        return settings
    }

    /// `GET /_sim/counters` for `platform`; without `perToken` the map is left out (cheap enough to poll).
    func counters(_ platform: Platform, perToken: Bool = true) async throws -> SimulatorCounters {
        guard case .string(let base)? = credentials.objectValue?["urls"]?.objectValue?["apns"] else {
            throw PerchError(.internalError, "credentials.json has no APNs URL")
        }
        let request = HTTPClientRequest(url: "\(base)/_sim/counters?platform=\(platform.rawValue)\(perToken ? "" : "&perToken=false")")
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        guard response.status == .ok else { throw PerchError(.internalError, "simulator counters: HTTP \(response.status.code)") }
        return try JSONDecoder().decode(SimulatorCounters.self, from: Data(body.readableBytesView))
    }

    /// Ends the process (so none outlives its test) and closes the HTTP client.
    func stop() async {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? await client.shutdown()
    }
}
