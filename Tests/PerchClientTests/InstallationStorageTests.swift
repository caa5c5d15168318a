import Foundation
import Testing
import PerchClient

@Suite("Installation storage")
struct InstallationStorageTests {
    @Test func theInstallationIdIsGeneratedOnceAndOutlivesTheClient() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("perch-client-\(UUID().uuidString)/state.json")
        let configuration = PerchClient.Configuration(baseURL: URL(string: "http://127.0.0.1:9")!, publishableKey: "pk_test")
        let first = try await PerchClient(configuration: configuration, storage: FileInstallationStorage(url: url)).installationId()
        let again = try await PerchClient(configuration: configuration, storage: FileInstallationStorage(url: url)).installationId()
        #expect(first == again)
        #expect(UUID(uuidString: first) != nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "only the app's user reads the file")
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("perch-client-\(UUID().uuidString)/state.json")
        #expect(try await PerchClient(configuration: configuration, storage: FileInstallationStorage(url: elsewhere)).installationId() != first)
    }

    @Test func userDefaultsStorageKeepsAndRemovesValues() throws {
        let suite = "perch-client-tests-\(UUID().uuidString)"
        let storage = UserDefaultsInstallationStorage(defaults: try #require(UserDefaults(suiteName: suite)))
        try storage.set("abc", forKey: "k")
        #expect(storage.string(forKey: "k") == "abc")
        try storage.set(nil, forKey: "k")
        #expect(storage.string(forKey: "k") == nil)
    }
}
