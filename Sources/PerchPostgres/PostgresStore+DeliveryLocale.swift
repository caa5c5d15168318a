import PerchSQL
import PerchStore

extension PostgresStore {
    /// `deliveries.locale`: the key of `message.localizations` a delivery was sent in (`NULL`: the default message),
    /// so a campaign's report splits by locale.
    static let deliveryLocaleMigration = Migration(version: 8, name: "delivery-locale", statements: [
        "ALTER TABLE deliveries ADD COLUMN locale text",
    ])
}

/// The campaign report: the shared statements of `PerchSQL`.
extension PostgresStore: CampaignReportStore {}
