import Foundation
import Hummingbird
import NIOCore
import PerchCore
import PerchStore

extension PerchAPI {
    /// `GET /v1/exports/{deliveries|events|tokens}?format=csv|ndjson[&campaignId=…]`: streamed page by page for
    /// warehouses, so an export of millions of rows never sits in memory. No raw token is ever exported.
    func addExportRoutes(to router: Router<PerchRequestContext>) {
        router.get("/v1/exports/:kind") { request, context in
            let appId = try context.appId(requiring: .secret)
            guard let kind = ExportKind(rawValue: try context.parameters.require("kind")) else {
                throw PerchError.invalid("kind", "exports are deliveries, events or tokens")
            }
            let format = request.uri.queryParameters["format"].map(String.init) ?? "ndjson"
            guard format == "csv" || format == "ndjson" else { throw PerchError.invalid("format", "format is csv or ndjson") }
            let campaignId = request.uri.queryParameters["campaignId"].map(String.init)
            if let campaignId {
                guard kind != .tokens else { throw PerchError.invalid("campaignId", "token exports are not per campaign") }
                guard try await store.campaign(appId: appId, id: campaignId) != nil else {
                    throw PerchError(.notFound, "campaign not found", field: "campaignId")
                }
            }
            let store = self.store
            var headers = HTTPFields()
            headers[.contentType] = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"
            headers[.contentDisposition] = "attachment; filename=\"\(kind.rawValue)\(campaignId.map { "-" + $0 } ?? "").\(format)\""
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                if format == "csv" { try await writer.write(ByteBuffer(string: CSVWriter.line(kind.columns))) }
                var cursor: String?
                repeat {
                    let page = try await store.exportRows(appId: appId, of: kind, campaignId: campaignId, after: cursor, limit: 1000)
                    var text = ""
                    for row in page.rows {
                        if format == "csv" {
                            text += CSVWriter.line(kind.columns.map { Self.csvField(row[$0] ?? .null) })
                        } else {
                            text += JSONValue.object(row.filter { $0.value != .null }).jsonText + "\n"
                        }
                    }
                    if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                    cursor = page.next
                } while cursor != nil
                try await writer.finish(nil)
            })
        }
    }

    /// A JSON value as a CSV field: text as is, numbers plainly, objects as JSON, null empty.
    static func csvField(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: value.jsonText
        }
    }
}
