import PerchStore

/// One delivery of a send as its sender reports it: a result of `POST /v1/send`, and what `perch send` prints (with its
/// `sendId`, and without a delivery when nothing could be queued).
public struct SendResult: Sendable, Encodable {
    public struct Reason: Sendable, Encodable, Equatable {
        public var code: String
        public var status: Int?
        public var detail: String?
    }

    /// The send's id (`perch send`; `POST /v1/send` names it once, beside its results).
    public var sendId: String?
    public var deliveryId: String?
    public var installationId: String?
    public var tokenId: String?
    public var platform: String?
    /// The delivery's state (`accepted`, `failed`, `suppressed`, or `pending`/`sending`/`retry` while not final).
    public var state: String
    /// `accepted`, `retired`, `kept`, `retry`, `message_error`, `credential_error`, `failed`, `expired`, `suppressed` or `pending`.
    public var outcome: String
    public var reason: Reason?
    public var gatewayMessageId: String?

    /// The delivery as recorded; `outcome` when its sender knows better (``SendQueue/outcome(of:registeredNow:appId:)``).
    public init(_ record: DeliveryRecord, outcome: String? = nil) {
        deliveryId = record.id
        installationId = record.installationId
        tokenId = record.tokenId
        platform = record.platform.rawValue
        state = record.state
        self.outcome = outcome ?? record.outcome ?? record.state
        reason = record.reason.map { Reason(code: $0, status: record.gatewayStatus, detail: record.reasonDetail) }
        gatewayMessageId = record.gatewayMessageId
    }

    /// Nothing queued, for `reason`.
    public init(installationId: String?, platform: String?, suppressed reason: String, detail: String) {
        self.installationId = installationId
        self.platform = platform
        state = "suppressed"
        outcome = "suppressed"
        self.reason = Reason(code: reason, detail: detail)
    }
}
