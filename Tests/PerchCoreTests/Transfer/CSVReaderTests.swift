import Testing
import PerchCore

@Suite("CSV reader")
struct CSVReaderTests {
    func read(_ text: String, chunk: Int = 3) -> [CSVReader.Record] {
        var reader = CSVReader()
        var records: [CSVReader.Record] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            records += reader.feed(bytes[start..<min(start + chunk, bytes.count)])
            start += chunk
        }
        return records + reader.finish()
    }

    @Test func recordsCarryTheLineTheyStartOnWhateverTheChunking() {
        let text = "a,b,c\n1,\"two, with comma\",3\n\"multi\nline\",x,\"say \"\"hi\"\"\"\n\nlast,row,here"
        for chunk in [1, 2, 5, 1000] {
            let records = read(text, chunk: chunk)
            #expect(records.map(\.line) == [1, 2, 3, 6], "chunk \(chunk)")
            #expect(records.map(\.fields) == [["a", "b", "c"], ["1", "two, with comma", "3"], ["multi\nline", "x", "say \"hi\""],
                                              ["last", "row", "here"]])
            #expect(records.allSatisfy { $0.error == nil })
        }
    }

    @Test func crlfLineEndingsAndAByteOrderMarkAreHandled() {
        let records = read("\u{FEFF}id,token\r\n1,abc\r\n2,def\r\n")
        #expect(records.map(\.fields) == [["id", "token"], ["1", "abc"], ["2", "def"]])
        #expect(records.map(\.line) == [1, 2, 3])
    }

    @Test func malformedRecordsAreReportedAndReadingGoesOn() {
        let records = Array(read("a,b\nx\"y,z\n\"ok\"junk,1\ngood,row\n\"never closed,1\n").dropFirst())
        #expect(records.count == 4)
        #expect(records[0].error?.contains("quote inside an unquoted field") == true && records[0].line == 2)
        #expect(records[1].error?.contains("follows a closing quote") == true && records[1].line == 3)
        #expect(records[2].error == nil && records[2].fields == ["good", "row"] && records[2].line == 4)
        #expect(records[3].error == "a quoted field is not closed" && records[3].line == 5)
    }

    @Test func writtenRecordsReadBackUnchanged() {
        let fields = ["plain", "with,comma", "with \"quote\"", "two\nlines", ""]
        let records = read(CSVWriter.line(fields) + CSVWriter.line(["x"]))
        #expect(records.first?.fields == fields && records.last?.fields == ["x"])
    }
}
