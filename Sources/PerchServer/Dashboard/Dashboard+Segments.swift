import Foundation
import Hummingbird
import NIOCore
import PerchCore
import PerchHealth
import PerchStore

extension Dashboard {
    func addSegmentRoutes(to router: Router<PerchRequestContext>) {
        router.get("/segments") { request, _ in
            try await signedIn(request) { session, app in
                Self.html(SegmentListPage(appName: app.name, segments: try await store.segments(appId: session.appId),
                                          csrf: session.csrfToken(key: signingKey)).html)
            }
        }

        router.get("/segments/new") { request, _ in
            try await signedIn(request) { session, app in
                Self.html(segmentPage(session, app, id: nil, name: "", filter: Self.parameter(request, "filter") ?? "").html)
            }
        }

        router.post("/segments/new") { request, _ in
            try await signedInPost(request) { session, app, form in
                try await saveSegment(session, app, id: nil, form: form)
            }
        }

        router.get("/segments/:segmentId") { request, context in
            try await signedIn(request) { session, app in
                let id = try context.parameters.require("segmentId")
                guard let segment = try await store.segment(appId: session.appId, id: id) else { return notFound("segment", id, app, session) }
                var page = segmentPage(session, app, id: id, name: segment.name, filter: segment.filter)
                page.saved = Self.parameter(request, "saved") != nil
                page.size = try? await api.audienceSize(appId: session.appId, filter: segment.filter)
                return Self.html(page.html)
            }
        }

        router.post("/segments/:segmentId") { request, context in
            try await signedInPost(request) { session, app, form in
                try await saveSegment(session, app, id: try context.parameters.require("segmentId"), form: form)
            }
        }

        // The live count as the filter is typed: the count of `POST /v1/segments/preview`, or the parse error with its position.
        router.post("/dashboard/preview/segment") { request, _ in
            try await signedInScript(request) { session, body in
                let filter = try JSONBody.decode(PerchAPI.SegmentBody.self, from: body).filter ?? ""
                if let problem = FilterProblem.of(filter) { return try JSONResponse.make(["error": problem], status: .badRequest) }
                return try JSONResponse.make(try await api.audienceSize(appId: session.appId, filter: filter))
            }
        }
    }

    func segmentPage(_ session: DashboardSession, _ app: AppRecord, id: String?, name: String, filter: String) -> SegmentFormPage {
        SegmentFormPage(appName: app.name, segmentId: id, name: name, filter: filter, csrfField: csrfField(session),
                        csrf: session.csrfToken(key: signingKey))
    }

    /// Creates or updates a segment from the form by the API's rules; the form again with the error next to its field.
    func saveSegment(_ session: DashboardSession, _ app: AppRecord, id: String?, form: FormFields) async throws -> Response {
        let name = form["name"] ?? "", filter = form["filter"] ?? ""
        do {
            let fields = try PerchAPI.segmentFields(PerchAPI.SegmentBody(name: name, filter: filter))
            if let id {
                guard try await store.updateSegment(appId: session.appId, id: id, name: fields.name, filter: fields.filter, now: now) != nil else {
                    return notFound("segment", id, app, session)
                }
                return Self.redirect(to: "/segments/\(Self.pathSegment(id))?saved=1")
            }
            let segment = try await store.createSegment(appId: session.appId, name: fields.name, filter: fields.filter, now: now)
            return Self.redirect(to: "/segments/\(Self.pathSegment(segment.id))?saved=1")
        } catch let error as PerchError {
            var page = segmentPage(session, app, id: id, name: name, filter: filter)
            page.error = error
            if !filter.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { page.filterProblem = FilterProblem.of(filter) }
            if page.filterProblem == nil, error.field != "filter" { page.size = try? await api.audienceSize(appId: session.appId, filter: filter) }
            return Self.html(page.html, status: .badRequest)
        }
    }

    /// The page for an id this app does not have.
    func notFound(_ what: String, _ id: String, _ app: AppRecord, _ session: DashboardSession) -> Response {
        let section: DashboardLayout.Section = what == "segment" ? .segments : .campaigns
        return Self.html(DashboardLayout.page(title: "\(what.prefix(1).uppercased() + what.dropFirst()) not found", appName: app.name, section: section,
                                              body: "<p class=\"error\">This app has no \(HTML.escape(what)) \(HTML.escape(id)).</p>"
                                                  + "<p><a href=\"\(section.path)\">← \(section.rawValue)</a></p>",
                                              csrf: session.csrfToken(key: signingKey)), status: .notFound)
    }
}
