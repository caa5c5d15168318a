import Testing
@testable import PerchCore

/// CSV injection (OWASP): a cell a spreadsheet would read as a formula is written as text.
@Suite("CSV exports neutralise formula cells")
struct CSVWriterTests {
    @Test("a cell starting with = + - @ tab or CR gets a leading quote", arguments: [
        ("=HYPERLINK(\"https://evil.example\",\"click\")", "'=HYPERLINK(\"https://evil.example\",\"click\")"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("'already quoted", "''already quoted"),
    ])
    func neutralised(cell: String, written: String) {
        #expect(CSVWriter.neutralize(cell) == written)
        #expect(CSVWriter.restore(written) == cell, "reading Perch's own export back gives the original")
    }

    @Test func ordinaryCellsAreUntouched() {
        for cell in ["", "alice", "42", "a=b", "x-y", "mail@example.com", " =leading space", "ütf-8"] {
            #expect(CSVWriter.neutralize(cell) == cell)
            #expect(CSVWriter.restore(cell) == cell)
        }
    }

    @Test func linesAreNeutralisedByDefaultAndVerbatimOnlyWhenAsked() {
        #expect(CSVWriter.line(["=1+1", "ok", "-5,6"]) == "'=1+1,ok,\"'-5,6\"\n")
        #expect(CSVWriter.line(["=1+1", "ok"], cells: .verbatim) == "=1+1,ok\n")
        var reader = CSVReader()
        let records = reader.feed(Array(CSVWriter.line(["=cmd", "\t=x", "plain"]).utf8)) + reader.finish()
        #expect(records.first?.fields.map(CSVWriter.restore) == ["=cmd", "\t=x", "plain"])
    }
}
