import Logging

extension Logger {
    /// This logger with a push's ids attached, for the gateway that sends it — when the gateway can log the push at all:
    /// the gateways log a push at `debug` only, and a handler renders all its metadata again on each change
    /// (`StreamLogHandler`; 2.7% of a worker's time with two ids per push, bench/scale/README.md, session 34).
    func forPush(_ ids: Logger.Metadata) -> Logger {
        guard logLevel <= .debug else { return self }
        var logger = self
        logger.handler.metadata.merge(ids) { $1 }
        return logger
    }
}
