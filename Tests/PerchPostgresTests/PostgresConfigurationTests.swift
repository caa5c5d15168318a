import Foundation
import PerchCore
import PerchPostgres
import Testing

@Suite("PostgreSQL database URLs")
struct PostgresConfigurationTests {
    @Test("a URL names host, port, user, password and database; the shown form hides the password")
    func parts() throws {
        let configuration = try PostgresStore.Configuration(url: "postgres://perch:s%40cret@127.0.0.1:6543/registry?pool=7")
        #expect(configuration.client.host == "127.0.0.1" && configuration.client.port == 6543)
        #expect(configuration.client.username == "perch" && configuration.client.password == "s@cret")
        #expect(configuration.client.database == "registry")
        #expect(configuration.client.options.maximumConnections == 7)
        #expect(!configuration.displayURL.contains("s%40cret") && !configuration.displayURL.contains("s@cret"))
        #expect(configuration.displayURL.contains("127.0.0.1:6543/registry"))
    }

    @Test("defaults: port 5432, the user's database, 20 connections")
    func defaults() throws {
        let configuration = try PostgresStore.Configuration(url: "postgresql://perch@localhost")
        #expect(configuration.client.port == 5432 && configuration.client.database == "perch" && configuration.client.password == nil)
        #expect(configuration.client.options.maximumConnections == 20)
    }

    @Test("anything but a postgres URL, a bad sslmode or a bad pool size is refused by field")
    func refused() {
        for text in ["sqlite:perch.sqlite", "mysql://x@h/db", "postgres://", "postgres://u@h/db?sslmode=maybe", "postgres://u@h/db?pool=0"] {
            #expect(throws: PerchError.self, "\(text)") { try PostgresStore.Configuration(url: text) }
        }
        #expect(PostgresStore.Configuration.isPostgresURL("postgres://h/db") && !PostgresStore.Configuration.isPostgresURL("sqlite:x"))
    }
}
