import Foundation
import Logging
import PerchCore
import PerchPostgres
import PostgresNIO

/// The PostgreSQL server the tests run against: the one `scripts/test` starts and names in
/// `PERCH_TEST_POSTGRES_URL` (a superuser on a loopback port). Each test gets its own database.
/// Shared by the store, server and scale-out suites (a library target, so both test targets use one copy).
public enum TestPostgres {
    /// Why the PostgreSQL cases cannot run: they fail with this, never skip.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public static func serverURL() throws -> URLComponents {
        guard let text = ProcessInfo.processInfo.environment["PERCH_TEST_POSTGRES_URL"], !text.isEmpty else {
            throw Unavailable(description: "PERCH_TEST_POSTGRES_URL is not set: run the tests through scripts/test, which starts a PostgreSQL server")
        }
        guard let components = URLComponents(string: text) else { throw Unavailable(description: "PERCH_TEST_POSTGRES_URL is not a URL") }
        return components
    }

    /// The URL of `database` on the test server, with a small pool (tests run in parallel).
    public static func url(database: String, pool: Int = 4) throws -> String {
        var components = try serverURL()
        components.path = "/" + database
        components.queryItems = [URLQueryItem(name: "pool", value: String(pool))]
        return components.string!
    }

    /// Runs `body` with a client on the server's `postgres` database, failing after `timeout`
    /// when the server does not answer.
    @discardableResult
    public static func withAdminClient<R: Sendable>(timeout: Duration = .seconds(30),
                                             _ body: @escaping @Sendable (PostgresClient) async throws -> R) async throws -> R {
        let configuration = try PostgresStore.Configuration(url: url(database: "postgres", pool: 2))
        let client = PostgresClient(configuration: configuration.client)
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { await client.run(); return nil }
            group.addTask { try await body(client) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Unavailable(description: "the PostgreSQL server at PERCH_TEST_POSTGRES_URL did not answer within \(timeout)")
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let next { return next }
            }
            throw Unavailable(description: "the PostgreSQL client stopped")
        }
    }

    /// Creates a fresh, empty database and answers its name.
    public static func createDatabase() async throws -> String {
        let name = "perch_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withAdminClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        return name
    }

    /// A store on `database` whose pool runs until the returned value is released.
    public static func open(database: String, vault: TokenVault) async throws -> Running {
        let store = PostgresStore(configuration: try .init(url: url(database: database)), vault: vault,
                                  logger: Logger(label: "perch.test.postgres"))
        return Running(store: store, database: database)
    }

    /// A store on a fresh database, its schema applied: what every PostgreSQL case starts from.
    public static func fresh(vault: TokenVault) async throws -> Running {
        let running = try await open(database: try await createDatabase(), vault: vault)
        try await running.store.migrate()
        return running
    }

    /// A running store; releasing it closes its pool.
    public final class Running: Sendable {
        public let store: PostgresStore
        public let database: String
        private let task: Task<Void, any Error>

        public init(store: PostgresStore, database: String) {
            self.store = store
            self.database = database
            self.task = Task { try await store.run() }
        }

        deinit { task.cancel() }

        /// The database's relation files and the server's WAL, read after a checkpoint: every
        /// byte PostgreSQL keeps of this database. (The tests run as root, who may read the
        /// server's files.)
        public func rawBytes() async throws -> Data {
            let database = self.database
            let (directory, oid) = try await withAdminClient { client in
                try await client.query("CHECKPOINT")
                let directory = try await client.query("SHOW data_directory").collect()[0].decode(String.self)
                let oid = try await client.query("SELECT oid::int8 FROM pg_database WHERE datname = \(database)").collect()[0].decode(Int.self)
                return (directory, oid)
            }
            var bytes = Data()
            for folder in ["\(directory)/base/\(oid)", "\(directory)/pg_wal"] {
                let names = try FileManager.default.contentsOfDirectory(atPath: folder)
                guard !names.isEmpty else { throw Unavailable(description: "no files in the database folder \(folder)") }
                for name in names {
                    var isDirectory: ObjCBool = false
                    let path = folder + "/" + name
                    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                    bytes.append(try Data(contentsOf: URL(fileURLWithPath: path)))
                }
            }
            return bytes
        }
    }
}
