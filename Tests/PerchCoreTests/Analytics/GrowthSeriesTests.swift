import Foundation
import Testing
import PerchCore

@Suite("Daily growth series")
struct GrowthSeriesTests {
    @Test("the window ends with today (UTC) and starts days − 1 earlier, at midnight")
    func window() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)   // 2027-01-15 08:00 UTC
        let midnight = Date(timeIntervalSince1970: 1_799_971_200)
        #expect(DailyTokenCount.seriesStart(days: 1, now: now) == midnight)
        #expect(DailyTokenCount.seriesStart(days: 30, now: now) == midnight.addingTimeInterval(-29 * 86_400))
    }

    @Test("live tokens: those live at the start, plus each day's arrivals, less its departures, summed in order")
    func series() {
        let start = Date(timeIntervalSince1970: 1_799_971_200)
        let series = DailyTokenCount.series(start: start, days: 4, liveAtStart: 100,
                                            registered: [0: 10, 2: 5, 7: 99], retired: [1: 3, 2: 5, -1: 50])
        #expect(series == [
            DailyTokenCount(day: start, registered: 10, retired: 0, live: 110, growth: 10),
            DailyTokenCount(day: start.addingTimeInterval(86_400), registered: 0, retired: 3, live: 107, growth: -3),
            DailyTokenCount(day: start.addingTimeInterval(2 * 86_400), registered: 5, retired: 5, live: 107, growth: 0),
            DailyTokenCount(day: start.addingTimeInterval(3 * 86_400), registered: 0, retired: 0, live: 107, growth: 0),
        ])
    }

    @Test("an empty window is an empty series")
    func empty() {
        #expect(DailyTokenCount.series(start: Date(timeIntervalSince1970: 0), days: 0, liveAtStart: 5, registered: [0: 1], retired: [:]).isEmpty)
    }
}
