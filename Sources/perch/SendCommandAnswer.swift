import PerchStore

/// What `perch send` prints: its send's id and the delivery's outcome, in the fields of a `POST /v1/send` result.
struct SendCommandAnswer: Encodable {
    struct Reason: Encodable {
        var code: String
        var status: Int?
        var detail: String?
    }

    var sendId: String?
    var installationId: String?
    var tokenId: String?
    var deliveryId: String?
    var platform: String?
    /// The delivery's state (`accepted`, `failed`, `suppressed`, or `retry`/`pending`/`sending` when the wait ran out).
    var state: String?
    /// `accepted`, `retired`, `kept`, `retry`, `message_error`, `credential_error`, `failed`, `expired` or `suppressed`.
    var outcome: String
    var reason: Reason?
    var gatewayMessageId: String?

    /// Not sent at all, for `reason`.
    init(installationId: String?, platform: String?, suppressed reason: String, detail: String) {
        self.installationId = installationId
        self.platform = platform
        self.state = "suppressed"
        self.outcome = "suppressed"
        self.reason = Reason(code: reason, detail: detail)
    }

    /// The send's delivery as recorded, with `outcome` as its sender reports it.
    init(sendId: String, record: DeliveryRecord, outcome: String) {
        self.sendId = sendId
        installationId = record.installationId
        tokenId = record.tokenId
        deliveryId = record.id
        platform = record.platform.rawValue
        state = record.state
        self.outcome = outcome
        reason = record.reason.map { Reason(code: $0, status: record.gatewayStatus, detail: record.reasonDetail) }
        gatewayMessageId = record.gatewayMessageId
    }
}
