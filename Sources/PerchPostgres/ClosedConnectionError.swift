/// A statement that was not sent because its connection had already closed (the server ended it, or the pool closed
/// it on shutdown). postgres-nio 1.33 never answers a statement written to a connection whose channel has finished
/// closing, so every statement Perch runs on a leased connection checks first, and fails with this instead of waiting
/// forever (``PostgresConnection/rows(_:logger:)``, ``PostgresConnection/run(_:logger:)``).
package struct ClosedConnectionError: Error, CustomStringConvertible {
    package var description: String { "the database connection closed before the statement was sent" }
}
