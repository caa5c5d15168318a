import Foundation

/// A message whose title, body and URL may hold templates (`Hi {{user.firstName | default: "there"}}`),
/// parsed once and rendered per recipient. Plain text renders to the message itself.
public struct PersonalisedMessage: Sendable {
    public let base: PushMessage
    let title: MessageTemplate
    let body: MessageTemplate
    let url: MessageTemplate?
    /// Each localization merged over the default message, parsed in turn (``PushMessage/localized(_:)``).
    public let localized: [String: PersonalisedMessage]

    /// Parses the templates, the localizations' too; a syntax error names `field.title`, `field.body` or `field.url`
    /// (`field.localizations.de.title` in a localization) and the position.
    public init(_ message: PushMessage, field: String = "message") throws(PerchError) {
        func parse(_ text: String, _ name: String) throws(PerchError) -> MessageTemplate {
            do { return try MessageTemplate(text) } catch { throw error.perchError(field: "\(field).\(name)") }
        }
        base = message.localizations == nil ? message : message.localized(nil)
        title = try parse(message.title, "title")
        body = try parse(message.body, "body")
        url = try message.url.map { (text: String) throws(PerchError) -> MessageTemplate in try parse(text, "url") }
        var localized: [String: PersonalisedMessage] = [:]
        for key in (message.localizations ?? [:]).keys.sorted() {
            localized[key] = try PersonalisedMessage(message.localized(key), field: "\(field).localizations.\(key)")
        }
        self.localized = localized
        original = message
    }

    /// The message as given, with its localizations, to pick one by locale.
    private let original: PushMessage

    /// The localization an installation with `locale` gets (``PushMessage/localizationKey(for:)``); `nil`: the default.
    public func localizationKey(for locale: String?) -> String? { original.localizationKey(for: locale) }

    /// The default message and each localization, with the field each is named by in errors.
    public func everyLocalization(field: String) -> [(field: String, message: PersonalisedMessage)] {
        [(field, self)] + localized.keys.sorted().map { ("\(field).localizations.\($0)", localized[$0]!) }
    }

    /// The message for one recipient in their locale (`installation["locale"]`), and the localization it used (`nil`: the default).
    public func renderLocalized(user: [String: JSONValue], installation: [String: String]) -> (message: PushMessage, locale: String?) {
        guard let key = localizationKey(for: installation["locale"]), let message = localized[key] else {
            return (render(user: user, installation: installation), nil)
        }
        return (message.render(user: user, installation: installation), key)
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
