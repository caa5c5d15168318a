import Foundation
import Testing
@testable import PerchServer

/// The dashboard's inline SVG charts and HTML building blocks: pure functions, checked without a server.
@Suite("Dashboard charts")
struct DashboardChartTests {
    static func circles(_ svg: String) -> [(x: Double, y: Double)] {
        let pattern = try! NSRegularExpression(pattern: #"<circle cx="([0-9.\-]+)" cy="([0-9.\-]+)""#)
        return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
            (Double(svg[Range(match.range(at: 1), in: svg)!])!, Double(svg[Range(match.range(at: 2), in: svg)!])!)
        }
    }

    @Test func aLineChartPlacesEachPointWhereItsDataSays() {
        let chart = LineChart(title: "Live tokens", xAxisTitle: "Day", yAxisTitle: "Tokens",
                              series: [.init(name: "Live", points: [(0, 0), (1, 50), (2, 100), (4, 25)])],
                              xTicks: [(0, "a"), (4, "e")], yRange: nil)
        // The domain runs 0…4 across and 0…100 up (100 is already a round number).
        #expect(chart.yDomain == 0...100 && chart.xDomain == 0...4)
        let plot = LineChart.plot
        let points = Self.circles(chart.svg)
        #expect(points.count == 4)
        #expect(points[0].x == plot.left && points[0].y == plot.bottom, "the origin is the plot's bottom left")
        #expect(points[2].x == (plot.left + plot.right) / 2 && points[2].y == plot.top, "x = 2 of 4 is halfway; the maximum touches the top")
        #expect(abs(points[1].y - (plot.bottom - (plot.bottom - plot.top) / 2)) < 0.05, "50 of 100 is halfway up")
        #expect(points[3].x == plot.right && abs(points[3].y - (plot.bottom - (plot.bottom - plot.top) / 4)) < 0.05)
        #expect(chart.position(x: 1, y: 50).x == plot.left + (plot.right - plot.left) / 4)
    }

    @Test func aLineChartSaysWhatItShowsAndLabelsItsAxes() {
        let chart = LineChart(title: "Survival <by platform>", xAxisTitle: "Days after registering", yAxisTitle: "Still live",
                              series: [.init(name: "FCM", points: [(1, 1), (7, 0.5)]), .init(name: "APNs", points: [(1, 0.9), (7, nil), (14, 0.4)])],
                              xTicks: [(1, "1"), (7, "7"), (14, "14")], yRange: 0...1, yFormat: { HTML.percent($0, decimals: 0) })
        let svg = chart.svg
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("role=\"img\" aria-label=\"Survival &lt;by platform&gt;\"") && svg.contains("<title>Survival &lt;by platform&gt;</title>"))
        #expect(svg.contains(">Days after registering</text>") && svg.contains(">Still live</text>"))
        #expect(svg.contains(">0%</text>") && svg.contains(">100%</text>") && svg.contains(">50%</text>"), "y ticks read as percentages")
        #expect(svg.contains(">FCM</text>") && svg.contains(">APNs</text>"), "a legend names each series")
        // A gap (nothing measured at day 7 for APNs) splits its line in two.
        #expect(svg.components(separatedBy: "data-series=\"APNs\"").count - 1 == 2)
        #expect(svg.contains("<title>APNs: 40%</title>"), "each point says its value")
    }

    @Test func roundCeilingsAndEmptyCharts() {
        #expect(LineChart.niceCeiling(0) == 1 && LineChart.niceCeiling(7) == 10 && LineChart.niceCeiling(130) == 200)
        #expect(LineChart.niceCeiling(480) == 500 && LineChart.niceCeiling(1000) == 1000 && LineChart.niceCeiling(0.3) == 0.5)
        let empty = LineChart(title: "Nothing", xAxisTitle: "x", yAxisTitle: "y", series: [], xTicks: [], yRange: nil)
        #expect(empty.svg.contains("<title>Nothing</title>") && Self.circles(empty.svg).isEmpty)
    }

    @Test func barsAreAsLongAsTheirShareOfTheLargest() {
        let chart = BarChart(title: "Funnel", bars: [.init(label: "Attempted", value: 200, shown: "200"), .init(label: "Accepted", value: 150, shown: "150"),
                                                     .init(label: "Opened", value: 0, shown: "0")])
        #expect(chart.length(of: 200) == BarChart.barSpan && chart.length(of: 150) == BarChart.barSpan * 0.75 && chart.length(of: 0) == 0)
        let widths = try! NSRegularExpression(pattern: #"class="bar" data-label="([^"]+)" x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)""#)
        let svg = chart.svg
        let found = widths.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map {
            (String(svg[Range($0.range(at: 1), in: svg)!]), Double(svg[Range($0.range(at: 2), in: svg)!])!)
        }
        #expect(found.map(\.0) == ["Attempted", "Accepted", "Opened"])
        #expect(found.map(\.1) == [320, 240, 0])
        #expect(svg.contains("<title>Accepted: 150</title>") && svg.contains("aria-label=\"Funnel\""))
        #expect(BarChart(title: "none", bars: [.init(label: "a", value: 0, shown: "0")]).length(of: 0) == 0, "no division by zero")
    }

    @Test func everyInterpolatedValueIsEscaped() {
        #expect(HTML.escape("<a href=\"x\">Tom & 'Jerry'</a>") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(HTML.metric("x\"y", 0.5, shown: "<b>") == "<span class=\"metric\" data-metric=\"x&quot;y\" data-value=\"0.5\">&lt;b&gt;</span>")
        #expect(HTML.count(1_234_567) == "1,234,567" && HTML.count(12) == "12" && HTML.count(-1_000) == "−1,000")
        #expect(HTML.percent(0.91234) == "91.2%" && HTML.percent(nil) == "—" && HTML.machineValue(nil) == "null" && HTML.machineValue(3) == "3")
        #expect(HTML.query([("platform", "fcm"), ("appVersion", nil), ("since", "2026-01-01T00:00:00Z")]) == "?platform=fcm&since=2026-01-01T00%3A00%3A00Z")
        #expect(HTML.query([]) == "")
    }
}
