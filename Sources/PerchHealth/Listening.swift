import Foundation
import Logging
import NIOCore
import PerchCore

/// How a listener reports where it listens (`perch serve`, its metrics port, `perch worker`'s health port).
public enum Listening {
    /// What a listener does once it listens: logs its address and, with `--port-file`, writes the port it got to
    /// that file — how a process started on port 0 (the system picks a free one) tells its supervisor or a test
    /// where it is, with no port guessed in advance. The file is written whole and renamed into place, so a reader
    /// never sees half a number.
    /// `then` learns the port too (the demo calls the API it runs beside).
    public static func report(portFile: String?, logger: Logger,
                              then: @escaping @Sendable (Int) -> Void = { _ in }) -> @Sendable (any Channel) async -> Void {
        { channel in
            guard let port = channel.localAddress?.port else { return }
            logger.notice("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            then(port)
            guard let portFile else { return }
            let partial = portFile + ".partial"
            do {
                try Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: partial))
                guard rename(partial, portFile) == 0 else { throw PerchError(.internalError, "rename failed (errno \(errno))") }
            } catch {
                logger.error("writing the port file failed", metadata: ["path": "\(portFile)", "error": "\(error)"])
            }
        }
    }
}
