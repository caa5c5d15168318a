import Foundation

/// A message whose title, body and URL may hold templates (`Hi {{user.firstName | default: "there"}}`),
/// parsed once and rendered per recipient. Plain text renders to the message itself.
public struct PersonalisedMessage: Sendable {
    public let base: PushMessage
    let title: MessageTemplate
    let body: MessageTemplate
    let url: MessageTemplate?

    /// Parses the templates; a syntax error names `field.title`, `field.body` or `field.url` and the position.
    public init(_ message: PushMessage, field: String = "message") throws(PerchError) {
        func parse(_ text: String, _ name: String) throws(PerchError) -> MessageTemplate {
            do { return try MessageTemplate(text) } catch { throw error.perchError(field: "\(field).\(name)") }
        }
        base = message
        title = try parse(message.title, "title")
        body = try parse(message.body, "body")
        url = try message.url.map { (text: String) throws(PerchError) -> MessageTemplate in try parse(text, "url") }
    }

    public var isPersonalised: Bool { title.isPersonalised || body.isPersonalised || url?.isPersonalised == true }

    /// Placeholders without a default, which would render empty for a recipient without the value.
    public var missingDefaults: [String] { title.missingDefaults + body.missingDefaults + (url?.missingDefaults ?? []) }

    /// The message for one recipient.
    public func render(user: [String: JSONValue], installation: [String: String]) -> PushMessage {
        guard isPersonalised else { return base }
        var message = base
        message.title = title.render(user: user, installation: installation)
        message.body = body.render(user: user, installation: installation)
        message.url = url?.render(user: user, installation: installation)
        return message
    }

    /// Renders the message, with every placeholder at its default, for each platform, so a payload over a
    /// platform's size limit is refused before anything is sent. Answers the first problem, naming the platform.
    public func sizeProblem() -> String? {
        let sample = render(user: [:], installation: [:]).tagged(deliveryId: "dlv_" + String(repeating: "0", count: 20),
                                                                  campaignId: "cmp_" + String(repeating: "0", count: 20))
        do { _ = try sample.renderAPNs() } catch { return "APNs would refuse it: \(error)" }
        if sample.isVoIP { return nil }  // PushKit only: APNs' own 5120-byte limit is the one that holds
        do { _ = try sample.renderFCM(token: "size-check") } catch { return "FCM would refuse it: \(error)" }
        do { _ = try sample.renderWebPush() } catch { return "Web Push would refuse it: \(error)" }
        return nil
    }
}
