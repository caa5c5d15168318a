import Logging
@testable import PerchServer
@testable import PerchDelivery
import Testing

/// A push's ids go with it to its gateway when the gateway can log it (at `debug`, the only level the gateways log a
/// push at), and cost nothing otherwise.
@Suite("A push's logger")
struct PushLoggerTests {
    func logger(level: Logger.Level, capture: LogCapture) -> Logger {
        var logger = Logger(label: "perch.worker") { capture.handler(label: $0) }
        logger.logLevel = level
        logger[metadataKey: "perch.worker"] = "w1"
        return logger
    }

    @Test("at debug, each line a gateway logs for the push names its delivery and token, beside the worker's own metadata")
    func debugCarriesIds() {
        let capture = LogCapture()
        let push = logger(level: .debug, capture: capture).forPush(["perch.delivery_id": "dlv_1", "perch.token_id": "tok_1"])
        push.debug("APNs answered")
        #expect(capture.text.contains("perch.delivery_id") && capture.text.contains("dlv_1") && capture.text.contains("tok_1"))
        #expect(capture.text.contains("perch.worker"))
    }

    @Test("above debug the logger is handed on as it is: its metadata is not touched")
    func infoLeavesMetadata() {
        let capture = LogCapture()
        let push = logger(level: .info, capture: capture).forPush(["perch.delivery_id": "dlv_1"])
        #expect(push.handler.metadata == ["perch.worker": "w1"])
        push.info("a line a gateway does not write")
        #expect(!capture.text.contains("dlv_1"))
    }
}
