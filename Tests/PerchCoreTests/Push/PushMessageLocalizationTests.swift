import Foundation
import Testing
@testable import PerchCore

@Suite("Localized messages")
struct PushMessageLocalizationTests {
    let message = PushMessage(
        title: "Your order shipped", body: "Track it in the app", url: "https://shop.example/orders", badge: 1, urgency: .normal,
        localizations: [
            "de": .init(title: "Deine Bestellung ist unterwegs", body: "Verfolge sie in der App"),
            "pt-BR": .init(title: "Seu pedido foi enviado"),
            "pt": .init(title: "A sua encomenda foi enviada", body: "Acompanhe-a na app"),
        ])

    @Test("the exact tag wins, then the language, then the default message; case and _ do not matter")
    func picking() {
        #expect(message.localizationKey(for: "pt-BR") == "pt-BR")
        #expect(message.localizationKey(for: "pt_br") == "pt-BR")
        #expect(message.localizationKey(for: "pt-PT") == "pt")
        #expect(message.localizationKey(for: "de-AT") == "de")
        #expect(message.localizationKey(for: "DE") == "de")
        #expect(message.localizationKey(for: "fr-FR") == nil)
        #expect(message.localizationKey(for: nil) == nil)
        #expect(message.localizationKey(for: "") == nil)
        #expect(PushMessage(title: "t", body: "b").localizationKey(for: "de") == nil)
    }

    @Test("a localization overrides only the fields it names; the rest come from the default message")
    func merging() {
        let brazil = message.localized("pt-BR")
        #expect(brazil.title == "Seu pedido foi enviado")
        #expect(brazil.body == "Track it in the app", "not localized: the default's")
        #expect(brazil.url == "https://shop.example/orders" && brazil.badge == 1 && brazil.urgency == .normal)
        #expect(brazil.localizations == nil)
        var withBlock = message
        withBlock.localizations?["de"]?.badge = 7
        withBlock.localizations?["de"]?.apns = ["headers": ["apns-priority": 5]]
        let german = withBlock.localized("de")
        #expect(german.badge == 7 && german.apns == ["headers": ["apns-priority": 5]] && german.body == "Verfolge sie in der App")
        #expect(message.localized(nil) == message.localized("xx"))
        #expect(message.localized(nil).title == "Your order shipped")
    }

    @Test("templates work inside localizations and are rendered in the recipient's locale")
    func templates() throws {
        var message = PushMessage(title: "Hi {{user.firstName | default: \"there\"}}", body: "b")
        message.localizations = ["de": .init(title: "Hallo {{user.firstName | default: \"du\"}}")]
        let personalised = try PersonalisedMessage(message)
        let ann = personalised.renderLocalized(user: ["firstName": "Ann"], installation: ["locale": "de-CH"])
        #expect(ann.message.title == "Hallo Ann" && ann.locale == "de" && ann.message.body == "b")
        let nobody = personalised.renderLocalized(user: [:], installation: ["locale": "de"])
        #expect(nobody.message.title == "Hallo du")
        let english = personalised.renderLocalized(user: ["firstName": "Bob"], installation: ["locale": "en-GB"])
        #expect(english.message.title == "Hi Bob" && english.locale == nil)

        message.localizations = ["de": .init(title: "Hallo {{user.firstName")]
        let error = #expect(throws: PerchError.self) { try PersonalisedMessage(message) }
        #expect(error?.field == "message.localizations.de.title")
        message.localizations = ["de": .init(title: "Hallo {{user.firstName}}")]
        let missing = try PersonalisedMessage(message).everyLocalization(field: "message")
        #expect(missing.map(\.field) == ["message", "message.localizations.de"])
        #expect(missing[0].message.missingDefaults.isEmpty && missing[1].message.missingDefaults == ["user.firstName"])
    }

    @Test("keys are distinct BCP 47 tags, at most 200, and each localization keeps every field's limits")
    func rules() throws {
        try MessageFieldRules.validate(message)
        func refused(_ localizations: [String: PushMessage.Localization], _ field: String) {
            var message = PushMessage(title: "t", body: "b")
            message.localizations = localizations
            expectPerchError(field: field) { try MessageFieldRules.validate(message) }
        }
        refused(["english!": .init(title: "x")], "message.localizations.english!")
        refused(["pt_BR": .init(title: "x")], "message.localizations.pt_BR")
        refused(["default": .init(title: "x")], "message.localizations.default")
        refused(["de": .init(title: "a"), "DE": .init(title: "b")], "message.localizations.de")
        var badge = PushMessage.Localization(title: "x")
        badge.badge = -1
        refused(["de": badge], "message.localizations.de.badge")
        var collapse = PushMessage.Localization()
        collapse.collapseId = "not.a.topic"
        refused(["fr": collapse], "message.localizations.fr.collapseId")
        var many: [String: PushMessage.Localization] = [:]
        for index in 0..<201 { many["x\(index)"] = .init(title: "t") }
        refused(many, "message.localizations")
    }

    @Test("localizations decode from the contract's JSON, any subset of fields each")
    func decoding() throws {
        let json = #"{"title":"t","body":"b","localizations":{"de":{"title":"T"},"ja":{"body":"本文","urgency":"high","actions":[]}}}"#
        let decoded = try JSONDecoder().decode(PushMessage.self, from: Data(json.utf8))
        #expect(decoded.localizations?["de"]?.title == "T" && decoded.localizations?["de"]?.body == nil)
        #expect(decoded.localized("ja").urgency == .high && decoded.localized("ja").title == "t")
    }
}
