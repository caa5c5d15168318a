import Foundation

/// A line chart as an inline SVG string: one polyline per series over a shared x axis, with axis titles, tick labels,
/// a legend, a `<title>` and an ARIA label, so it needs no script, no external file and reads in a screen reader.
/// Pure: the same input always gives the same SVG.
struct LineChart: Sendable {
    struct Series: Sendable {
        var name: String
        /// (x, y) in data units; a `nil` y leaves a gap (nothing measured there).
        var points: [(x: Double, y: Double?)]
    }

    /// What the chart shows, in words: its `<title>` and ARIA label.
    var title: String
    var xAxisTitle: String
    var yAxisTitle: String
    var series: [Series]
    /// Labels under the x axis at data x positions.
    var xTicks: [(x: Double, label: String)]
    /// The y range; by default 0 to the largest value (rounded up to a readable step).
    var yRange: ClosedRange<Double>?
    /// How y tick labels read (`12,000`, `80%`).
    var yFormat: @Sendable (Double) -> String = { HTML.count(Int($0.rounded())) }

    static let width = 640.0, height = 280.0
    /// The plot area inside the margins (labels go in the margins).
    static let plot = (left: 64.0, right: 624.0, top: 16.0, bottom: 208.0)
    /// Colours with at least 4.5:1 contrast on white.
    static let palette = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490"]

    var xDomain: ClosedRange<Double> {
        let xs = series.flatMap { $0.points.map(\.x) } + xTicks.map(\.x)
        guard let low = xs.min(), let high = xs.max(), high > low else { return 0...1 }
        return low...high
    }

    var yDomain: ClosedRange<Double> {
        if let yRange { return yRange }
        let largest = series.flatMap { $0.points.compactMap(\.y) }.max() ?? 0
        return 0...Self.niceCeiling(largest)
    }

    /// Where a data point is drawn, in SVG user units (y grows downwards).
    func position(x: Double, y: Double) -> (x: Double, y: Double) {
        let (xs, ys) = (xDomain, yDomain)
        let fx = (x - xs.lowerBound) / (xs.upperBound - xs.lowerBound)
        let fy = ys.upperBound > ys.lowerBound ? (y - ys.lowerBound) / (ys.upperBound - ys.lowerBound) : 0
        return (Self.plot.left + fx * (Self.plot.right - Self.plot.left), Self.plot.bottom - fy * (Self.plot.bottom - Self.plot.top))
    }

    /// 1, 2 or 5 times a power of ten at or above `value` (at least 1), so ticks fall on round numbers.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    var svg: String {
        let ys = yDomain
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\" "
            + "xmlns=\"http://www.w3.org/2000/svg\"><title>\(HTML.escape(title))</title>"
        // Horizontal grid lines and y tick labels at five even steps.
        for step in 0...4 {
            let value = ys.lowerBound + (ys.upperBound - ys.lowerBound) * Double(step) / 4
            let y = position(x: xDomain.lowerBound, y: value).y
            out += "<line x1=\"\(f(Self.plot.left))\" y1=\"\(f(y))\" x2=\"\(f(Self.plot.right))\" y2=\"\(f(y))\" stroke=\"#e5e7eb\"/>"
            out += "<text x=\"\(f(Self.plot.left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#374151\">"
                + "\(HTML.escape(yFormat(value)))</text>"
        }
        out += "<line x1=\"\(f(Self.plot.left))\" y1=\"\(f(Self.plot.bottom))\" x2=\"\(f(Self.plot.right))\" y2=\"\(f(Self.plot.bottom))\" stroke=\"#6b7280\"/>"
        for tick in xTicks {
            let x = position(x: tick.x, y: ys.lowerBound).x
            out += "<line x1=\"\(f(x))\" y1=\"\(f(Self.plot.bottom))\" x2=\"\(f(x))\" y2=\"\(f(Self.plot.bottom + 4))\" stroke=\"#6b7280\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(Self.plot.bottom + 17))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#374151\">"
                + "\(HTML.escape(tick.label))</text>"
        }
        out += "<text x=\"\(f((Self.plot.left + Self.plot.right) / 2))\" y=\"\(f(Self.plot.bottom + 36))\" text-anchor=\"middle\" font-size=\"12\" "
            + "fill=\"#111827\">\(HTML.escape(xAxisTitle))</text>"
        out += "<text transform=\"translate(14 \(f((Self.plot.top + Self.plot.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" "
            + "fill=\"#111827\">\(HTML.escape(yAxisTitle))</text>"
        for (index, line) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            // Consecutive measured points make one polyline; a gap starts another.
            var runs: [[(Double, Double, Double, Double)]] = [[]]
            for point in line.points {
                guard let y = point.y else { if !(runs.last?.isEmpty ?? true) { runs.append([]) }; continue }
                let at = position(x: point.x, y: y)
                runs[runs.count - 1].append((at.x, at.y, point.x, y))
            }
            for run in runs where !run.isEmpty {
                let coordinates = run.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
                out += "<polyline class=\"series\" data-series=\"\(HTML.escape(line.name))\" points=\"\(coordinates)\" fill=\"none\" "
                    + "stroke=\"\(colour)\" stroke-width=\"2\"/>"
                for point in run {
                    out += "<circle cx=\"\(f(point.0))\" cy=\"\(f(point.1))\" r=\"3\" fill=\"\(colour)\"><title>"
                        + "\(HTML.escape(line.name)): \(HTML.escape(yFormat(point.3)))</title></circle>"
                }
            }
            // The legend, in one row under the x axis title.
            let legendX = Self.plot.left + Double(index) * 140
            out += "<rect x=\"\(f(legendX))\" y=\"\(f(Self.height - 18))\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
            out += "<text x=\"\(f(legendX + 14))\" y=\"\(f(Self.height - 9))\" font-size=\"11\" fill=\"#111827\">\(HTML.escape(line.name))</text>"
        }
        return out + "</svg>"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
