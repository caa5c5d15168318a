/// One table `perch migrate` moves: its columns, their kinds and the key it pages by.
/// The SQLite and PostgreSQL schemas name every column the same.
public struct TransferTable: Sendable, Hashable {
    /// How a column's values are read, bound and compared.
    public enum Kind: Sendable, Hashable {
        case text, real, integer, blob
        /// JSON kept as text in SQLite and as `jsonb` in PostgreSQL, compared in canonical form.
        case json
    }

    public struct Column: Sendable, Hashable {
        public var name: String
        public var kind: Kind
    }

    public var name: String
    public var columns: [Column]
    /// The primary key the source is paged by (keyset pagination).
    public var key: [String]
    /// The identity column whose sequence must continue after the copied rows.
    public var identity: String?

    init(_ name: String, key: [String], identity: String? = nil, _ columns: [(String, Kind)]) {
        self.name = name
        self.key = key
        self.identity = identity
        self.columns = columns.map { Column(name: $0.0, kind: $0.1) }
    }

    /// Every table Perch keeps, in the order they move: the registry, then campaigns and their delivery queue.
    public static let all: [TransferTable] = registry + campaigns

    /// The campaign tables: segments, campaigns, their delivery rows (with the queue's state and leases as they are),
    /// waiting triggered sends, paused gateways and idempotency keys. Events attributed to campaigns move with the registry's events.
    public static let campaigns: [TransferTable] = [
        TransferTable("segments", key: ["app_id", "id"], [
            ("app_id", .text), ("id", .text), ("name", .text), ("filter", .text), ("created_at", .real), ("updated_at", .real),
        ]),
        TransferTable("campaigns", key: ["app_id", "id"], [
            ("app_id", .text), ("id", .text), ("kind", .text), ("definition", .json), ("status", .text), ("trigger_event", .text),
            ("created_at", .real), ("updated_at", .real), ("start_at", .real), ("started_at", .real), ("resolved_at", .real),
            ("completed_at", .real), ("cancelled_at", .real),
        ]),
        TransferTable("deliveries", key: ["app_id", "id"], [
            ("app_id", .text), ("id", .text), ("campaign_id", .text), ("occurrence", .text), ("token_id", .text), ("installation_id", .text),
            ("user_id", .text), ("platform", .text), ("variant", .integer), ("state", .text), ("outcome", .text), ("reason", .text),
            ("reason_detail", .text), ("gateway_status", .integer), ("gateway_message_id", .text), ("attempts", .integer),
            ("due_at", .real), ("expires_at", .real), ("created_at", .real), ("updated_at", .real), ("accepted_at", .real),
            ("locale", .text),
        ]),
        TransferTable("trigger_instances", key: ["app_id", "id"], [
            ("app_id", .text), ("id", .text), ("campaign_id", .text), ("installation_id", .text), ("user_id", .text),
            ("event_at", .real), ("fire_at", .real), ("state", .text), ("updated_at", .real),
        ]),
        TransferTable("gateway_pauses", key: ["app_id", "platform"], [
            ("app_id", .text), ("platform", .text), ("reason", .text), ("since", .real),
        ]),
        // Idempotency keys move with their answers, so a request retried across the move still sends once.
        TransferTable("idempotency_keys", key: ["app_id", "key"], [
            ("app_id", .text), ("key", .text), ("fingerprint", .text), ("created_at", .real), ("status", .integer),
            ("content_type", .text), ("body", .text),
        ]),
    ]

    /// Every table of the registry, parents before children.
    public static let registry: [TransferTable] = [
        TransferTable("apps", key: ["id"], [
            ("id", .text), ("name", .text), ("bundle_id", .text), ("web_origin", .text), ("publishable_key_digest", .text),
            ("secret_key_digest", .text), ("vapid_public_key", .text), ("vapid_private_key_sealed", .blob),
            ("allowed_endpoint_hosts", .json), ("created_at", .real), ("identity_verification", .text),
        ]),
        // Rotated keys and identity secrets move with their grace periods; open dashboard sessions move too (the cookies
        // are signed with a key derived from the master key, which the target keeps).
        TransferTable("app_keys", key: ["digest"], [
            ("digest", .text), ("app_id", .text), ("kind", .text), ("created_at", .real), ("expires_at", .real),
        ]),
        TransferTable("identity_secrets", key: ["app_id", "id"], [
            ("app_id", .text), ("id", .text), ("secret_sealed", .blob), ("created_at", .real), ("expires_at", .real),
        ]),
        TransferTable("dashboard_sessions", key: ["id_digest"], [
            ("id_digest", .text), ("app_id", .text), ("key_digest", .text), ("created_at", .real), ("expires_at", .real),
        ]),
        TransferTable("gateways", key: ["app_id", "platform"], [
            ("app_id", .text), ("platform", .text), ("settings_sealed", .blob), ("summary", .json), ("updated_at", .real),
        ]),
        TransferTable("users", key: ["app_id", "user_id"], [
            ("app_id", .text), ("user_id", .text), ("attributes", .json), ("created_at", .real), ("updated_at", .real),
        ]),
        TransferTable("installations", key: ["app_id", "installation_id"], [
            ("app_id", .text), ("installation_id", .text), ("platform", .text), ("user_id", .text), ("token_id", .text),
            ("app_version", .text), ("app_version_key", .text), ("locale", .text), ("timezone", .text), ("consent", .text),
            ("consent_source", .text), ("consent_at", .real), ("attributes", .json), ("created_at", .real), ("last_seen_at", .real),
        ]),
        TransferTable("tokens", key: ["app_id", "id"], [
            ("app_id", .text), ("id", .text), ("platform", .text), ("environment", .text), ("installation_id", .text),
            ("blind_index", .blob), ("sealed", .blob), ("status", .text), ("status_reason", .text), ("status_at", .real),
            ("successor_id", .text), ("created_at", .real), ("last_seen_at", .real), ("last_token_update_at", .real),
            ("kind", .text), ("activity_type", .text), ("activity_id", .text), ("expires_at", .real),
        ]),
        TransferTable("consent_history", key: ["seq"], identity: "seq", [
            ("seq", .integer), ("app_id", .text), ("installation_id", .text), ("status", .text), ("source", .text), ("at", .real),
        ]),
        TransferTable("registry_log", key: ["seq"], identity: "seq", [
            ("seq", .integer), ("app_id", .text), ("at", .real), ("kind", .text), ("installation_id", .text), ("token_id", .text),
            ("user_id", .text), ("other_user_id", .text), ("other_installation_id", .text),
        ]),
        TransferTable("events", key: ["seq"], identity: "seq", [
            ("seq", .integer), ("app_id", .text), ("id", .text), ("type", .text), ("installation_id", .text), ("user_id", .text),
            ("campaign_id", .text), ("delivery_id", .text), ("value", .real), ("currency", .text), ("properties", .json),
            ("occurred_at", .real), ("received_at", .real),
        ]),
    ]
}
