import GRDB
import PerchSQL
import PerchStore

extension SQLiteStore {
    /// `deliveries.locale`: the key of `message.localizations` a delivery was sent in (`NULL`: the default message),
    /// so a campaign's report splits by locale.
    static func registerDeliveryLocaleMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("delivery-locale") { db in
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN locale TEXT")
        }
    }
}

/// The campaign report: the shared statements of `PerchSQL`.
extension SQLiteStore: CampaignReportStore {}
