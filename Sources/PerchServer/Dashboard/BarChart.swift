import Foundation

/// A horizontal bar chart as an inline SVG string: one labelled bar per value, its length proportional to the value
/// against the largest (or a given maximum), the value written beside it. For funnels and breakdowns, where the
/// numbers matter as much as the shape. Pure.
struct BarChart: Sendable {
    struct Bar: Sendable {
        var label: String
        var value: Double
        /// What is written beside the bar (the count, maybe with a rate).
        var shown: String
    }

    var title: String
    var bars: [Bar]
    /// The value a full-width bar stands for; by default the largest bar.
    var maximum: Double?

    static let width = 760.0
    static let rowHeight = 28.0
    /// Where bars start (labels to the left) and the widest a bar can be (its value is written after it).
    static let barLeft = 210.0, barSpan = 320.0

    var height: Double { Double(bars.count) * Self.rowHeight + 8 }

    /// The drawn length of a bar of `value`.
    func length(of value: Double) -> Double {
        let top = maximum ?? bars.map(\.value).max() ?? 0
        guard top > 0 else { return 0 }
        return max(0, min(1, value / top)) * Self.barSpan
    }

    var svg: String {
        var out = "<svg class=\"chart bars\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\" "
            + "xmlns=\"http://www.w3.org/2000/svg\"><title>\(HTML.escape(title))</title>"
        for (index, bar) in bars.enumerated() {
            let top = 4 + Double(index) * Self.rowHeight
            let length = length(of: bar.value)
            out += "<text x=\"\(f(Self.barLeft - 10))\" y=\"\(f(top + 17))\" text-anchor=\"end\" font-size=\"12\" fill=\"#111827\">"
                + "\(HTML.escape(bar.label))</text>"
            out += "<rect class=\"bar\" data-label=\"\(HTML.escape(bar.label))\" x=\"\(f(Self.barLeft))\" y=\"\(f(top + 4))\" width=\"\(f(length))\" "
                + "height=\"\(f(Self.rowHeight - 8))\" rx=\"3\" fill=\"#1d4ed8\"><title>\(HTML.escape(bar.label)): \(HTML.escape(bar.shown))</title></rect>"
            out += "<text x=\"\(f(Self.barLeft + length + 8))\" y=\"\(f(top + 17))\" font-size=\"12\" fill=\"#374151\">\(HTML.escape(bar.shown))</text>"
        }
        return out + "</svg>"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
