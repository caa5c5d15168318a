import Foundation

/// A one-line progress bar on stderr, redrawn at most ten times a second; stdout stays clean for data.
struct ProgressBar {
    let label: String
    /// The total to reach (bytes of the input file), or `nil` when unknown.
    let total: Int?
    let enabled: Bool
    private var lastDraw = ContinuousClock.now - .seconds(1)

    init(label: String, total: Int?, enabled: Bool = true) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    mutating func update(done: Int, rows: Int, rejected: Int, force: Bool = false) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard force || now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        var text = "\r\(label) "
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 30)
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
            text += String(format: "%3d%% ", Int(fraction * 100))
        }
        text += "\(rows) rows"
        if rejected > 0 { text += ", \(rejected) rejected" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
