import Hummingbird
import PerchCore

/// Refuses a query parameter holding U+0000 (`%00`) with a 400 naming it, before any route reads it.
///
/// Why: PostgreSQL stores no NUL in `text`, so an id or filter carrying one reached the database as an error (a 500,
/// on PostgreSQL only — the fuzz test found it in `GET /v1/exports/deliveries?campaignId=%00`). No id, name or
/// filter means it; ``JSONBody`` refuses `\u0000` in bodies for the same reason.
struct QueryTextMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        for (name, value) in request.uri.queryParameters where name.contains("\u{0}") || value.contains("\u{0}") {
            let field = String(name).replacingOccurrences(of: "\u{0}", with: "")
            throw PerchError(.invalidField, "the query parameter \(field) may not contain U+0000 (%00)", field: field.isEmpty ? "query" : field)
        }
        return try await next(request, context)
    }
}
