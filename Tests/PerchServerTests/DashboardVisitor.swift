import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PerchCore
import Testing

/// A person at the dashboard: posts the sign-in form, keeps the session cookie, reads pages as HTML.
/// Redirects are not followed, so tests see each 303.
struct DashboardVisitor {
    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var html: String
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }
    }

    let client: TestServer.Client
    var cookie: String?

    init(_ client: TestServer.Client) { self.client = client }

    func get(_ path: String, headers extra: HTTPFields = [:]) async throws -> Page {
        var headers = extra
        if let cookie { headers[.cookie] = cookie }
        return try await client.client.execute(uri: path, method: .get, headers: headers, body: nil) { response in
            Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
        }
    }

    func post(_ path: String, form: String, headers extra: HTTPFields = [:]) async throws -> Page {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { headers[.cookie] = cookie }
        return try await client.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: form)) { response in
            Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
        }
    }

    /// Signs in with `key`; keeps the cookie on success. Answers the sign-in response.
    @discardableResult
    mutating func signIn(_ key: String, headers: HTTPFields = [:]) async throws -> Page {
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
        let page = try await post("/signin", form: "key=\(encoded)", headers: headers)
        if let set = page.setCookies.first, let pair = set.split(separator: ";").first { cookie = String(pair) }
        return page
    }

    /// Signs out as a person does: the sign-out form of a signed-in page, with the session's CSRF token it carries.
    @discardableResult
    func signOut() async throws -> Page {
        let token = try Self.csrf(try await get("/").html)
        return try await post("/signout", form: "csrf=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)")
    }

    /// The CSRF token a page's forms carry (the hidden field `csrf`).
    static func csrf(_ html: String) throws -> String {
        let pattern = try NSRegularExpression(pattern: #"name="csrf" value="([^"]+)""#)
        let match = try #require(pattern.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)), "no CSRF field on the page")
        return try #require(Range(match.range(at: 1), in: html).map { String(html[$0]) })
    }
}

/// The numbers a dashboard page shows and the API calls it says they equal: every `data-metric` element with its
/// `data-value`, under the nearest `data-api` before it.
struct DashboardNumbers {
    struct Metric {
        var api: String
        var path: String
        var value: String
        /// What a person sees (the element's text).
        var shown: String
    }

    var metrics: [Metric] = []

    init(html: String) {
        // data-api="…" opens a section; data-metric="…" data-value="…">text< is one number.
        let pattern = try! NSRegularExpression(pattern: #"data-api="([^"]*)"|data-metric="([^"]*)" data-value="([^"]*)">([^<]*)<"#)
        var api: String?
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            func group(_ index: Int) -> String? {
                Range(match.range(at: index), in: html).map { Self.unescape(String(html[$0])) }
            }
            if let section = group(1) {
                api = section
            } else if let api, let path = group(2), let value = group(3) {
                metrics.append(Metric(api: api, path: path, value: value, shown: group(4) ?? ""))
            }
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    func value(_ path: String) -> String? { metrics.first { $0.path == path }?.value }

    /// Fetches every API call the page names with `key` and checks each number against the field its path names;
    /// answers how many were compared.
    @discardableResult
    func expectEqualToAPI(_ client: TestServer.Client, key: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        var answers: [String: JSONValue] = [:]
        for metric in metrics {
            if answers[metric.api] == nil {
                let answer = try await client.call(.get, metric.api, key: key)
                #expect(answer.status == .ok, "\(metric.api): \(answer.json)", sourceLocation: sourceLocation)
                answers[metric.api] = answer.json
            }
            let field = Self.resolve(answers[metric.api] ?? .null, metric.path)
            #expect(Self.matches(metric.value, field), "\(metric.api) \(metric.path): page \(metric.value), API \(String(describing: field))",
                    sourceLocation: sourceLocation)
        }
        return metrics.count
    }

    static func resolve(_ json: JSONValue, _ path: String) -> JSONValue? {
        var current: JSONValue? = json
        for step in path.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
            switch current {
            case .object(let object)?: current = object[step]
            case .array(let array)?: current = Int(step).flatMap { array.indices.contains($0) ? array[$0] : nil }
            default: return nil
            }
        }
        return current
    }

    static func matches(_ shown: String, _ field: JSONValue?) -> Bool {
        switch field {
        case nil, .null?: return shown == "null"
        case .bool(let value)?: return shown == String(value)
        case .string(let value)?: return shown == value
        case .integer(let value)?: return Double(shown) == Double(value)
        case .number(let value)?:
            guard let number = Double(shown) else { return false }
            return abs(number - value) <= 1e-9 * max(1, abs(value))
        default: return false
        }
    }
}
