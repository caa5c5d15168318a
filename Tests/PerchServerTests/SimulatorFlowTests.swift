import Foundation
import Testing
import PerchCore

/// `perch simulate` → `perch apps connect-simulator` → `perch send`, as the README shows it: the simulators are
/// loopback hosts, which only the operator can allow, and connect-simulator says exactly which.
@Suite("The simulator flow")
struct SimulatorFlowTests {
    @Test func connectSimulatorNamesTheHostsToAllowAndSendingNeedsThem() async throws {
        let folder = try CLITests.folder()
        let simulator = try await SimulatorProcess.start(binary: CLITests.binary, folder: folder)
        do {
            try flow(in: folder)
        } catch {
            await simulator.stop()
            throw error
        }
        await simulator.stop()
    }

    func flow(in folder: URL) throws {
        let environment = ["PERCH_DATABASE_URL": "sqlite:flow.sqlite", "PERCH_MASTER_KEY": String(repeating: "5a", count: 32)]
        let created = try CLITests.run(["apps", "create", "--name", "Flow"], environment: environment, in: folder)
        let app = try #require(JSONValue(jsonText: created.output.trimmingCharacters(in: .whitespacesAndNewlines))?.objectValue?["id"]?.stringValue,
                               "\(created.output)")

        let connected = try CLITests.run(["apps", "connect-simulator", "--app", app, "--state-dir", "simulator"], environment: environment, in: folder)
        #expect(connected.status == 0, "\(connected.output)")
        let marker = "--allow-gateway-hosts "
        let line = try #require(connected.output.split(separator: "\n").first { $0.contains(marker) }, "\(connected.output)")
        let hosts = String(line[line.range(of: marker)!.upperBound...].prefix { $0 != " " })
        let list = try GatewayHostAllowList(parsing: hosts)
        #expect(!list.isEmpty && list.entries.allSatisfy { $0.host == "127.0.0.1" && $0.port != nil }, "exact ports: \(hosts)")

        let send = ["send", "--app", app, "--platform", "apns", "--token", String(repeating: "a1b2c3d4", count: 8), "--title", "Hello", "--body", "flow"]
        let refused = try CLITests.run(send, environment: environment, in: folder)
        #expect(refused.status != 0 && refused.output.contains("operator"), "without the list: \(refused.output)")
        let sent = try CLITests.run(send, environment: environment.merging(["PERCH_ALLOW_GATEWAY_HOSTS": hosts]) { _, new in new }, in: folder)
        #expect(sent.status == 0 && sent.output.contains("\"outcome\":\"accepted\""), "with the list: \(sent.output)")

        // Sent like every push: a transactional send with a delivery row, through an installation the token was registered under.
        func answer(_ run: CLITests.Run) throws -> [String: JSONValue] {
            let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(run.output)")
            return try #require(JSONValue(jsonText: String(line))?.objectValue, "\(run.output)")
        }
        let first = try answer(sent)
        let installation = try #require(first["installationId"]?.stringValue)
        #expect(first["sendId"]?.stringValue?.hasPrefix("snd_") == true && first["deliveryId"]?.stringValue?.hasPrefix("dlv_") == true)
        #expect(installation.hasPrefix("send-") && first["gatewayMessageId"]?.stringValue != nil && first["state"] == "accepted")
        let allowed = environment.merging(["PERCH_ALLOW_GATEWAY_HOSTS": hosts]) { _, new in new }
        let again = try answer(try CLITests.run(send, environment: allowed, in: folder))
        #expect(again["installationId"]?.stringValue == installation && again["tokenId"] == first["tokenId"], "the token is known now")
        #expect(again["sendId"] != first["sendId"] && again["outcome"] == "accepted")
        let byInstallation = try answer(try CLITests.run(["send", "--app", app, "--installation", installation, "--title", "Hi", "--body", "again"],
                                                         environment: allowed, in: folder))
        #expect(byInstallation["outcome"] == "accepted" && byInstallation["tokenId"] == first["tokenId"])
    }
}
