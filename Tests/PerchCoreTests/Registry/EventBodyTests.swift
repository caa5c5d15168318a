import Foundation
import Testing
@testable import PerchCore

@Suite("Event body")
struct EventBodyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func knownAndCustomTypes() throws {
        #expect(try EventBody(type: "opened", installationId: "i1").validated(index: 0, now: now).type == .opened)
        #expect(try EventBody(type: "custom", installationId: "i1", name: "cart_abandoned").validated(index: 0, now: now).type == .custom("cart_abandoned"))
        #expect(try EventBody(type: "purchase", installationId: "i1").validated(index: 0, now: now).type == .custom("purchase"))
    }

    @Test func brokenItemsNameTheirIndexAndField() {
        expectPerchError(field: "events[3].type") { _ = try EventBody(type: nil, installationId: "i1").validated(index: 3, now: now) }
        expectPerchError(field: "events[1].type") { _ = try EventBody(type: "9lives", installationId: "i1").validated(index: 1, now: now) }
        expectPerchError(field: "events[0].name") { _ = try EventBody(type: "custom", installationId: "i1").validated(index: 0, now: now) }
        expectPerchError(field: "events[0].at") { _ = try EventBody(type: "opened", installationId: "i1", at: "yesterday").validated(index: 0, now: now) }
        expectPerchError(field: "events[0].at") {
            _ = try EventBody(type: "opened", installationId: "i1", at: "2099-01-01T00:00:00Z").validated(index: 0, now: now)
        }
        expectPerchError(field: "events[0].currency") {
            _ = try EventBody(type: "converted", installationId: "i1", value: 9.99, currency: "euro").validated(index: 0, now: now)
        }
        expectPerchError(field: "events[0].currency", code: .missingField) {
            _ = try EventBody(type: "converted", installationId: "i1", value: 9.99).validated(index: 0, now: now)
        }
    }

    @Test func clientTimesAreKept() throws {
        let event = try EventBody(type: "received", installationId: "i1", at: "2027-01-15T08:00:00.250Z").validated(index: 0, now: now)
        #expect(abs(event.occurredAt.timeIntervalSince1970 - 1_800_000_000.25) < 0.001)
    }
}
