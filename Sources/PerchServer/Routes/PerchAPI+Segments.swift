import Foundation
import Hummingbird
import PerchCore
import PerchHealth
import PerchStore

extension PerchAPI {
    struct SegmentBody: Decodable {
        var name: String?
        var filter: String?
    }
    struct SegmentPreviewView: Encodable {
        var segmentId: String
        var count: Int
        var sample: [InstallationView]
    }

    func addSegmentRoutes(to router: Router<PerchRequestContext>) {
        router.post("/v1/segments") { request, context in
            let appId = try context.appId(requiring: .secret)
            let (name, filter) = try Self.segmentFields(try await JSONBody.decode(SegmentBody.self, from: request))
            let segment = try await store.createSegment(appId: appId, name: name, filter: filter, now: now())
            return try JSONResponse.make(segment, status: .created)
        }

        router.put("/v1/segments/:segmentId") { request, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("segmentId")
            let (name, filter) = try Self.segmentFields(try await JSONBody.decode(SegmentBody.self, from: request))
            guard let segment = try await store.updateSegment(appId: appId, id: id, name: name, filter: filter, now: now()) else {
                throw PerchError.notFound("segment")
            }
            return try JSONResponse.make(segment)
        }

        router.post("/v1/segments/preview") { request, context in
            let appId = try context.appId(requiring: .secret)
            let body = try await JSONBody.decode(SegmentBody.self, from: request)
            guard let filter = body.filter else { throw PerchError.missing("filter") }
            return try JSONResponse.make(try await audienceSize(appId: appId, filter: filter))
        }

        router.get("/v1/segments") { _, context in
            let appId = try context.appId(requiring: .secret)
            return try JSONResponse.make(["segments": try await store.segments(appId: appId)])
        }

        router.get("/v1/segments/:segmentId") { _, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("segmentId")
            guard let segment = try await store.segment(appId: appId, id: id) else { throw PerchError.notFound("segment") }
            return try JSONResponse.make(segment)
        }

        router.get("/v1/segments/:segmentId/preview") { request, context in
            let appId = try context.appId(requiring: .secret)
            let id = try context.parameters.require("segmentId")
            guard let segment = try await store.segment(appId: appId, id: id) else { throw PerchError.notFound("segment") }
            let sampleSize = request.uri.queryParameters["sample"].flatMap { Int(String($0)) } ?? 10
            guard (0...100).contains(sampleSize) else { throw PerchError.invalid("sample", "sample is 0 to 100") }
            let filter = try AudienceFilter.parse(segment.filter, field: "filter")
            let preview = try await store.preview(appId: appId, filter: filter, now: now(), sampleSize: sampleSize)
            return try JSONResponse.make(SegmentPreviewView(segmentId: id, count: preview.count, sample: preview.sample.map { InstallationView($0) }))
        }
    }

    /// A segment's name and filter checked: the rules of `POST` and `PUT /v1/segments` and of the dashboard's form.
    static func segmentFields(_ body: SegmentBody) throws -> (name: String, filter: String) {
        guard let name = body.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { throw PerchError.missing("name") }
        guard name.count <= 200 else { throw PerchError.invalid("name", "name is at most 200 characters") }
        guard let filter = body.filter, !filter.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw PerchError.missing("filter") }
        _ = try AudienceFilter.parse(filter, field: "filter")
        return (name, filter)
    }

    /// How many installations and people an unsaved filter selects now (a parse error is a 400 naming `filter` and
    /// the position); `POST /v1/segments/preview` and the dashboard's live count.
    func audienceSize(appId: String, filter text: String) async throws -> AudienceSize {
        let filter = try AudienceFilter.parse(text, field: "filter")
        return try await store.audienceSize(appId: appId, filter: filter, now: now())
    }
}
