/// Which database a test keeps its data in: a SQLite file, or a fresh database on the test PostgreSQL server.
public enum TestBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    public var description: String { rawValue }
}
