import Foundation
import Hummingbird
import PerchCore
import PerchHealth
import PerchStore

extension PerchAPI {
    /// At most this many events in one batch.
    static let eventBatchLimit = 1000

    struct EventsBody: Decodable {
        var events: [EventBody]?
    }
    struct EventResultView: Encodable {
        var index: Int
        var status: String
        var id: String?
        var error: JSONValue?
    }
    struct EventsView: Encodable {
        var stored: Int
        var rejected: Int
        var results: [EventResultView]
    }

    func addEventRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/events") { request, context in
            let appId = try context.appId(requiring: .publishable)
            let body = try await JSONBody.decode(EventsBody.self, from: request, limit: 1 << 20)
            guard let items = body.events else { throw PerchError.missing("events") }
            guard (1...Self.eventBatchLimit).contains(items.count) else {
                throw PerchError.invalid("events", "send 1 to \(Self.eventBatchLimit) events per batch")
            }
            let received = now()
            var results = [EventResultView?](repeating: nil, count: items.count)
            var valid: [(index: Int, event: ClientEvent)] = []
            for (index, item) in items.enumerated() {
                do {
                    valid.append((index, try item.validated(index: index, now: received)))
                } catch let error as PerchError {
                    results[index] = EventResultView(index: index, status: "rejected", error: error.jsonObject)
                }
            }
            try limitInstallations(valid.map(\.event.installationId), context: context)
            // A publishable key is in every client's hands: its answers must not tell which installation ids exist.
            // So an event naming an unknown installation is answered like a stored one (and dropped), and no
            // answer carries event ids.
            let publicCaller = if case .app(_, .publishable)? = context.principal { true } else { false }
            let outcomes = try await store.record(appId: appId, events: valid.map(\.event), now: received)
            var dropped = 0
            for ((index, _), outcome) in zip(valid, outcomes) {
                switch outcome {
                case .stored(let id):
                    results[index] = EventResultView(index: index, status: "stored", id: publicCaller ? nil : id)
                case .rejected(let error) where publicCaller && error.code == .notFound:
                    dropped += 1
                    results[index] = EventResultView(index: index, status: "stored")
                case .rejected(var error):
                    error.field = error.field.map { "events[\(index)].\($0)" }
                    results[index] = EventResultView(index: index, status: "rejected", error: error.jsonObject)
                }
            }
            let all = results.compactMap { $0 }
            let stored = all.filter { $0.status == "stored" }.count
            metrics.eventsStored.increment(by: Int64(stored - dropped))
            metrics.eventsRejected.increment(by: Int64(all.count - stored + dropped))
            return try JSONResponse.make(EventsView(stored: stored, rejected: all.count - stored, results: all))
        }
    }
}
