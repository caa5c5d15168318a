/// Writes CSV records (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled.
///
/// Exports are opened in spreadsheets, and a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
/// read there as a formula (CSV injection: `=HYPERLINK(…)`, `=cmd|…`). Every cell Perch writes for people is
/// neutralised as OWASP advises, with a leading `'`, which spreadsheets hide and treat as "this is text". A cell that
/// already starts with `'` gets one more, so ``restore(_:)`` gives back exactly what was written and
/// `perch export` → `perch import` round-trips tokens such as FCM's that may begin with `-`.
public enum CSVWriter {
    /// Whether cells are neutralised against formula injection (the default) or written verbatim (only for
    /// re-assembling a record that was read, never for a file a person opens).
    public enum Cells: Sendable {
        case neutralized
        case verbatim
    }

    /// One record, ending with `\n`.
    public static func line(_ fields: [String], cells: Cells = .neutralized) -> String {
        fields.map { escape(cells == .neutralized ? neutralize($0) : $0) }.joined(separator: ",") + "\n"
    }

    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The characters a spreadsheet reads as the start of a formula, plus `'` itself (so the prefix is reversible).
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "'"]

    /// The cell as written to an export: a leading `'` when the spreadsheet would otherwise read a formula.
    public static func neutralize(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, formulaStarts.contains(Character(first)) else { return cell }
        return "'" + cell
    }

    /// The inverse of ``neutralize(_:)``, for reading back a file Perch exported.
    public static func restore(_ cell: String) -> String {
        guard cell.hasPrefix("'"), let second = cell.unicodeScalars.dropFirst().first, formulaStarts.contains(Character(second)) else {
            return cell
        }
        return String(cell.dropFirst())
    }
}
