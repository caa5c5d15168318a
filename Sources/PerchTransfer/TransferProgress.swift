/// Where a move stands: sent to the progress callback after every batch.
public struct TransferProgress: Sendable, Hashable {
    /// The table being copied.
    public var table: String
    public var tableCopied: Int
    public var tableTotal: Int
    /// All tables together.
    public var copied: Int
    public var total: Int

    public init(table: String, tableCopied: Int, tableTotal: Int, copied: Int, total: Int) {
        self.table = table
        self.tableCopied = tableCopied
        self.tableTotal = tableTotal
        self.copied = copied
        self.total = total
    }

    /// A one-line bar for a terminal: `[#########-----------]  45%  12000/26500  tokens 3000/9000`.
    public func bar(width: Int = 30) -> String {
        let fraction = total == 0 ? 1 : min(1, Double(copied) / Double(total))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let percent = Int((fraction * 100).rounded(.down))
        let padded = String(repeating: " ", count: max(0, 3 - String(percent).count)) + String(percent)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(padded)%  \(copied)/\(total)  \(table) \(tableCopied)/\(tableTotal)"
    }
}
