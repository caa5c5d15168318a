import Foundation
import GRDB
import Logging
import PerchCore
import PerchPostgres
import PerchSQL
import PostgresNIO

/// Moves a whole registry from a SQLite file into an empty PostgreSQL database: `perch migrate`.
///
/// Rows are copied as stored, sealed tokens and keys included, so nothing is decrypted on the
/// way and the target must be used with the same master key. The source is read in keyset
/// pages of ``batchSize`` rows and each page is written as one multi-row insert, all inside one
/// PostgreSQL transaction: a failed or unverified move leaves the target as empty as it was.
/// Before the commit every table is verified: the source counted again (a registry written
/// during the move fails it), the target counted, and the rows read back from the target must
/// have the checksum of the rows read from the source.
public struct RegistryTransfer: Sendable {
    /// Why a move was refused or failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let sourcePath: String
    public let target: PostgresStore
    public let batchSize: Int
    public let tables: [TransferTable]

    public init(sourcePath: String, target: PostgresStore, batchSize: Int = 1000, tables: [TransferTable] = TransferTable.all) {
        self.sourcePath = sourcePath
        self.target = target
        self.batchSize = max(1, batchSize)
        self.tables = tables
    }

    /// Tables that hold what running processes coordinate with — scheduler and hygiene leases, per-second send
    /// windows — and nothing of the registry. The move runs with every process stopped, so they are not moved: the
    /// target starts with none, as a fresh deployment does.
    public static let transientTables: Set<String> = ["leases", "send_windows"]

    /// The analytics rollups: nothing of their own, only what the facts add up to. Not moved: the target rebuilds them
    /// from the facts moved, in the same transaction (docs/metrics.md, "Rollups").
    public static let derivedTables = Set(RollupStatements.tables)

    /// Runs the move. The target's pool must be running, and its schema migrated.
    public func run(progress: @escaping @Sendable (TransferProgress) -> Void = { _ in }) async throws -> TransferReport {
        guard FileManager.default.fileExists(atPath: sourcePath) else { throw Failure(description: "no SQLite database at \(sourcePath)") }
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: sourcePath, configuration: configuration)
        let tables = self.tables
        let known = Set(tables.map(\.name))
        let sourceTables = try await source.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")
        }
        // A table this version does not know (a newer Perch wrote the file) would be lost: refused. Coordination state
        // is left behind on purpose (see ``transientTables``).
        let unknown = sourceTables.filter { !known.contains($0) && !Self.transientTables.contains($0) && !Self.derivedTables.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw Failure(description: "the source has tables this version cannot move: \(unknown.joined(separator: ", ")); nothing was copied")
        }
        let missing = tables.map(\.name).filter { !sourceTables.contains($0) }
        guard missing.isEmpty else {
            throw Failure(description: "the source lacks tables \(missing.joined(separator: ", ")): open it once with `perch serve` to migrate its schema")
        }
        var totals: [String: Int] = [:]
        for table in tables {
            totals[table.name] = try await source.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0 }
        }
        let total = totals.values.reduce(0, +)
        let batchSize = self.batchSize
        let logger = target.logger

        return try await target.transaction { db in
            for table in tables {
                let rows = try await db.rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table.name)"), logger: logger)[0][0].decode(Int.self)
                guard rows == 0 else {
                    throw Failure(description: "the target's \(table.name) table already holds \(rows) rows: move into an empty database")
                }
            }
            var report: [TransferReport.Table] = []
            var copied = 0
            for table in tables {
                let tableTotal = totals[table.name] ?? 0
                var checksum = TableChecksum()
                var cursor: [DatabaseValue]?
                progress(TransferProgress(table: table.name, tableCopied: 0, tableTotal: tableTotal, copied: copied, total: total))
                while true {
                    let after = cursor
                    let page = try await source.read { db in try Self.page(db, table: table, after: after, limit: batchSize) }
                    if page.rows.isEmpty { break }
                    var batch = RowBatch(table: table.name, columns: table.columns.map(\.name),
                                         casts: Dictionary(uniqueKeysWithValues: table.columns.filter { $0.kind == .json }.map { ($0.name, "jsonb") }))
                    for row in page.rows {
                        checksum.add(row)
                        batch.append { binds in
                            for value in row { Self.bind(value, to: &binds) }
                        }
                        // A wide table's page can exceed a statement's parameter limit: flush before it does.
                        if batch.isFull {
                            try await db.run(batch.query, logger: logger)
                            batch = RowBatch(table: batch.table, columns: batch.columns, casts: batch.casts)
                        }
                    }
                    if !batch.isEmpty { try await db.run(batch.query, logger: logger) }
                    cursor = page.lastKey
                    copied += page.rows.count
                    progress(TransferProgress(table: table.name, tableCopied: checksum.rows, tableTotal: tableTotal, copied: copied, total: total))
                }
                if let identity = table.identity {
                    try await db.run(PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table.name)', '\(identity)'), COALESCE(MAX(\(identity)), 0) + 1, false) FROM \(table.name)
                        """), logger: logger)
                }
                let sourceRows = try await source.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0 }
                let targetChecksum = try await Self.checksum(db, table: table, logger: logger)
                let entry = TransferReport.Table(name: table.name, sourceRows: sourceRows, targetRows: targetChecksum.rows,
                                                 sourceChecksum: checksum, targetChecksum: targetChecksum)
                guard sourceRows == checksum.rows else {
                    throw Failure(description: "\(table.name) changed during the move (\(checksum.rows) rows copied, \(sourceRows) now): stop every perch process first; nothing was committed")
                }
                guard entry.verified else {
                    throw Failure(description: "\(table.name) did not verify: \(sourceRows) rows with checksum \(checksum) in the source, \(targetChecksum.rows) with \(targetChecksum) in the target; nothing was committed")
                }
                report.append(entry)
            }
            // The target's triggers kept rollups as the rows arrived, in table order (events before the deliveries they
            // name): rebuilt from everything moved.
            for statement in RollupStatements.rebuild(.postgres) {
                try await db.run(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            return TransferReport(tables: report)
        }
    }

    /// One page of the source: the rows after `cursor` in key order, and the last row's key.
    static func page(_ db: Database, table: TransferTable, after cursor: [DatabaseValue]?,
                     limit: Int) throws -> (rows: [[TransferValue]], lastKey: [DatabaseValue]?) {
        let columns = table.columns.map(\.name).joined(separator: ", ")
        let key = table.key.joined(separator: ", ")
        var sql = "SELECT \(columns) FROM \(table.name)"
        var arguments: [DatabaseValue] = []
        if let cursor {
            sql += " WHERE (\(key)) > (\(Array(repeating: "?", count: cursor.count).joined(separator: ", ")))"
            arguments = cursor
        }
        sql += " ORDER BY \(key) LIMIT \(limit)"
        let keyIndexes = table.key.compactMap { name in table.columns.firstIndex { $0.name == name } }
        var rows: [[TransferValue]] = []
        var lastKey: [DatabaseValue]?
        for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
            let values = Array(row.databaseValues)
            rows.append(zip(table.columns, values).map { column, value in Self.value(value, kind: column.kind) })
            lastKey = keyIndexes.map { values[$0] }
        }
        return (rows, lastKey)
    }

    /// A SQLite value as the kind of its column.
    static func value(_ value: DatabaseValue, kind: TransferTable.Kind) -> TransferValue {
        switch (value.storage, kind) {
        case (.null, _): .null
        case (.int64(let number), .real): .real(Double(number))
        case (.int64(let number), _): .integer(number)
        case (.double(let number), .integer): .integer(Int64(number))
        case (.double(let number), _): .real(number)
        case (.string(let text), .json): .json(text)
        case (.string(let text), .blob): .blob(Data(text.utf8))
        case (.string(let text), _): .text(text)
        case (.blob(let data), .text), (.blob(let data), .json): .text(String(decoding: data, as: UTF8.self))
        case (.blob(let data), _): .blob(data)
        }
    }

    static func bind(_ value: TransferValue, to binds: inout PostgresBindings) {
        switch value {
        case .null: binds.appendNull()
        case .integer(let number): binds.append(Int(number))
        case .real(let number): binds.append(number)
        case .text(let text): binds.append(text)
        case .blob(let data): binds.append(ByteBuffer(bytes: data))
        }
    }

    /// The checksum of a target table's rows, read back as stored.
    static func checksum(_ db: PostgresConnection, table: TransferTable, logger: Logger) async throws -> TableChecksum {
        let columns = table.columns.map { $0.kind == .json ? "\($0.name)::text" : $0.name }.joined(separator: ", ")
        var checksum = TableChecksum()
        for try await row in try await db.query(PostgresQuery(unsafeSQL: "SELECT \(columns) FROM \(table.name)"), logger: logger) {
            var values: [TransferValue] = []
            values.reserveCapacity(table.columns.count)
            for (cell, column) in zip(row, table.columns) {
                switch column.kind {
                case .text: values.append(try cell.decode(String?.self).map(TransferValue.text) ?? .null)
                case .json: values.append(try cell.decode(String?.self).map(TransferValue.json) ?? .null)
                case .real: values.append(try cell.decode(Double?.self).map(TransferValue.real) ?? .null)
                case .integer: values.append(try cell.decode(Int64?.self).map(TransferValue.integer) ?? .null)
                case .blob: values.append(try cell.decode(Data?.self).map(TransferValue.blob) ?? .null)
                }
            }
            checksum.add(values)
        }
        return checksum
    }
}
