import Foundation
import PerchCore
import PerchStore

/// The composer's live preview: the message (and each variant's) rendered for a sample person of the audience on each
/// platform — the templates filled from that person's attributes as the worker fills them, and the exact payload Perch
/// would hand to APNs, FCM or Web Push. A person of the audience on that platform when there is one, else an anonymous
/// person (the templates' defaults).
struct MessagePreview: Sendable {
    /// Who a preview is rendered for.
    struct Sample: Sendable {
        var platform: Platform
        var installationId: String?
        var userId: String?
        var attributes: [String: JSONValue] = [:]
        var installationFields: [String: String] = [:]
    }

    /// The messages by label (`Message`, `Variant B`), parsed; or the problem, naming its field.
    var messages: [(String, PersonalisedMessage)]
    var problem: PerchError?
    var samples: [Sample]

    var html: String {
        if let problem {
            return "<div class=\"field-error\" role=\"alert\" data-error=\"\(HTML.escape(problem.field ?? "message"))\">\(HTML.escape(problem.message))</div>"
        }
        var out = ""
        for (label, message) in messages {
            out += "<h3>\(HTML.escape(label))</h3><div class=\"previews\">"
            for sample in samples {
                let rendered = message.render(user: sample.attributes, installation: sample.installationFields)
                let who = sample.userId.map { "user \($0)" } ?? sample.installationId.map { "anonymous installation \($0)" } ?? "an anonymous person"
                out += "<figure class=\"preview\" data-platform=\"\(sample.platform.rawValue)\"><figcaption>\(Self.platformName(sample.platform))"
                    + " · <span class=\"sub\">\(HTML.escape(who))</span></figcaption>"
                    + "<div class=\"bubble\"><strong data-preview-field=\"title\">\(HTML.escape(rendered.title))</strong>"
                    + "<div data-preview-field=\"body\">\(HTML.escape(rendered.body))</div>"
                    + (rendered.url.map { "<div class=\"sub\" data-preview-field=\"url\">\(HTML.escape($0))</div>" } ?? "")
                    + (rendered.image.map { "<div class=\"sub\" data-preview-field=\"image\">image: \(HTML.escape($0))</div>" } ?? "")
                    + "</div>" + Self.payload(rendered, sample.platform) + "</figure>"
            }
            out += "</div>"
        }
        return out
    }

    static func platformName(_ platform: Platform) -> String {
        switch platform {
        case .apns: "iOS (APNs)"
        case .fcm: "Android (FCM)"
        case .webpush: "Web Push"
        }
    }

    /// The payload the platform would get, or why it would refuse it.
    static func payload(_ message: PushMessage, _ platform: Platform) -> String {
        let bytes: Data
        do {
            switch platform {
            case .apns: bytes = try message.renderAPNs().payload
            case .fcm: bytes = try message.renderFCM(token: "<token>").requestBody
            case .webpush: bytes = try message.renderWebPush().plaintext
            }
        } catch {
            return "<p class=\"field-error\" role=\"alert\">\(HTML.escape(String(describing: error)))</p>"
        }
        let text = JSONValue(jsonText: String(decoding: bytes, as: UTF8.self)).map(\.jsonText) ?? String(decoding: bytes, as: UTF8.self)
        return "<details><summary>Payload (\(HTML.count(bytes.count)) bytes)</summary><pre>\(HTML.escape(text))</pre></details>"
    }
}
