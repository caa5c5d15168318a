/// How a campaign's sends come about.
public enum CampaignKind: String, Sendable, Hashable, Codable {
    /// Sent to an audience once, now or on a schedule.
    case campaign
    /// Sent to one person per trigger event, after a delay.
    case triggered
    /// `POST /v1/send`: one message to a user or an installation.
    case transactional
}
