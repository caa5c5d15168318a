import PerchStore

/// App reads written once for every ``SQLStore``.
extension AppStore where Self: SQLStore {
    public func app(id: String) async throws -> AppRecord? {
        try await row(AppStatements.app(id: id)) { try $0.app() }
    }

    public func apps() async throws -> [AppRecord] {
        try await rows(AppStatements.all) { try $0.app() }
    }
}
