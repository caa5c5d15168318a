/// A streaming RFC 4180 CSV reader: feed it bytes in chunks of any size, take the complete
/// records it found, each with the line it started on. Quoted fields may hold commas, quotes
/// (`""`) and line breaks; `\r\n` and `\n` both end a record; a UTF-8 byte order mark is skipped.
///
/// Pure state machine: no I/O, memory bounded by the longest record.
public struct CSVReader: Sendable {
    /// One record, or why it is malformed.
    public struct Record: Sendable, Hashable {
        /// The 1-based line the record starts on.
        public var line: Int
        public var fields: [String]
        /// Set when the record breaks the format (a stray quote, an unterminated quoted field).
        public var error: String?
    }

    private enum State: Sendable {
        case fieldStart
        case unquoted
        case quoted
        case quoteInQuoted
    }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var error: String?
    private var sawCarriageReturn = false
    private var atStart = true
    private var bomBytes: [UInt8] = []

    public init() {}

    /// Consumes `bytes`; answers the records completed by them.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Record] {
        var records: [Record] = []
        for byte in bytes {
            if atStart {
                bomBytes.append(byte)
                let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                if bomBytes == Array(bom.prefix(bomBytes.count)) {
                    if bomBytes.count == 3 { atStart = false }
                    continue
                }
                atStart = false
                let pending = bomBytes
                bomBytes = []
                for pendingByte in pending { consume(pendingByte, into: &records) }
                continue
            }
            consume(byte, into: &records)
        }
        return records
    }

    /// Ends the input; answers the last record if the input did not end with a line break.
    public mutating func finish() -> [Record] {
        var records: [Record] = []
        if atStart, !bomBytes.isEmpty {
            atStart = false
            let pending = bomBytes
            bomBytes = []
            for byte in pending { consume(byte, into: &records) }
        }
        switch state {
        case .quoted:
            error = error ?? "a quoted field is not closed"
            endRecord(into: &records)
        case .fieldStart where fields.isEmpty && field.isEmpty:
            break
        default:
            endRecord(into: &records)
        }
        return records
    }

    private mutating func consume(_ byte: UInt8, into records: inout [Record]) {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        let afterCarriageReturn = sawCarriageReturn
        sawCarriageReturn = false
        switch state {
        case .quoted:
            if byte == quote {
                state = .quoteInQuoted
            } else {
                if byte == newline { line += 1 }
                field.append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case quote:
                field.append(quote)
                state = .quoted
            case comma:
                endField()
            case newline:
                endRecord(into: &records)
                line += 1
                recordLine = line
            case carriageReturn:
                sawCarriageReturn = true
                endRecord(into: &records)
            default:
                error = error ?? "a character follows a closing quote in field \(fields.count + 1)"
                field.append(byte)
                state = .unquoted
            }
        case .fieldStart, .unquoted:
            switch byte {
            case quote where state == .fieldStart:
                state = .quoted
            case quote:
                error = error ?? "a quote inside an unquoted field \(fields.count + 1)"
                field.append(byte)
            case comma:
                endField()
            case newline:
                if afterCarriageReturn {
                    line += 1
                    recordLine = line
                    return
                }
                endRecord(into: &records)
                line += 1
                recordLine = line
            case carriageReturn:
                sawCarriageReturn = true
                endRecord(into: &records)
            default:
                field.append(byte)
                state = .unquoted
            }
        }
        if afterCarriageReturn, byte != newline {
            // A lone \r ended the record; the line count moves with it.
            line += 1
            recordLine = line
        }
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func endRecord(into records: inout [Record]) {
        endField()
        // A blank line is no record.
        if !(fields.count == 1 && fields[0].isEmpty && error == nil) {
            records.append(Record(line: recordLine, fields: fields, error: error))
        }
        fields.removeAll(keepingCapacity: true)
        error = nil
    }
}
