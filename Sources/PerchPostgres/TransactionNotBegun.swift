/// A transaction whose `BEGIN` failed: nothing of it reached the server, so it may run again on another connection.
/// The pool can lease a connection the server has just ended before it notices (`pg_terminate_backend`, a restart):
/// the `BEGIN` then fails with ``ClosedConnectionError`` or postgres-nio's closed-connection error.
struct TransactionNotBegun: Error {
    var underlying: any Error
}
