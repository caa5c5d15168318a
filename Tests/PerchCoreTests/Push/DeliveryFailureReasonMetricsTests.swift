import Testing
@testable import PerchCore

/// A gateway's reason is text from the network; as a Prometheus label it must come from a bounded set.
@Suite("Delivery reasons as metric labels")
struct DeliveryFailureReasonMetricsTests {
    @Test("documented and Perch's own reasons are kept", arguments: [
        DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered"),
        DeliveryFailureReason(platform: .apns, status: 400, code: "BadDeviceToken"),
        DeliveryFailureReason(platform: .fcm, status: 404, code: "UNREGISTERED"),
        DeliveryFailureReason(platform: .fcm, status: 400, code: "INVALID_ARGUMENT"),
        DeliveryFailureReason(platform: .fcm, status: 401, code: "UNAUTHENTICATED"),
        DeliveryFailureReason(platform: .fcm, status: 400, code: "OAuth:invalid_grant"),
        DeliveryFailureReason(platform: .webpush, status: 410, code: "Gone"),
        DeliveryFailureReason(platform: .webpush, status: 418, code: "Status418"),
        DeliveryFailureReason(platform: .apns, status: 599, code: "Status599"),
        .timeout(.fcm), .transport(.apns, detail: "x"), .endpointRefused, .endpointUnresolved(detail: "DNS lookup timed out"),
    ])
    func kept(reason: DeliveryFailureReason) {
        #expect(reason.metricLabel == reason.code)
    }

    @Test("anything else is bucketed into one label", arguments: [
        DeliveryFailureReason(platform: .apns, status: 400, code: "Reason-\(Int.random(in: 0...1_000_000))"),
        DeliveryFailureReason(platform: .apns, status: 400, code: "UNREGISTERED"),
        DeliveryFailureReason(platform: .fcm, status: 400, code: "Unregistered"),
        DeliveryFailureReason(platform: .fcm, status: 400, code: "OAuth:anything_the_server_says"),
        DeliveryFailureReason(platform: .webpush, status: 410, code: "NotGone"),
        DeliveryFailureReason(platform: .webpush, status: 999, code: "Status999"),
        DeliveryFailureReason(platform: .fcm, status: 400, code: String(repeating: "A", count: 10_000)),
    ])
    func bucketed(reason: DeliveryFailureReason) {
        #expect(reason.metricLabel == DeliveryFailureReason.otherMetricLabel)
        #expect(DeliveryFailureReason.otherMetricLabel == "other")
    }
}
