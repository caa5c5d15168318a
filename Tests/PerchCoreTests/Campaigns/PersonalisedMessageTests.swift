import Foundation
import Testing
@testable import PerchCore

@Suite("Personalised messages")
struct PersonalisedMessageTests {
    @Test func templatesRenderPerRecipientWithTheirDefaults() throws {
        let message = try PersonalisedMessage(PushMessage(title: "Hi {{user.firstName | default: \"there\"}}", body: "Your {{user.plan | default: \"free\"}} plan",
                                                          url: "https://example.com/{{installation.locale | default: \"en\"}}"))
        #expect(message.missingDefaults.isEmpty)
        let ann = message.render(user: ["firstName": "Ann", "plan": "pro"], installation: ["locale": "de-DE"])
        #expect(ann.title == "Hi Ann" && ann.body == "Your pro plan" && ann.url == "https://example.com/de-DE")
        let anonymous = message.render(user: [:], installation: [:])
        #expect(anonymous.title == "Hi there" && anonymous.body == "Your free plan" && anonymous.url == "https://example.com/en")
    }

    @Test func syntaxErrorsNameTheFieldAndSizeIsCheckedPerPlatform() throws {
        #expect(throws: PerchError.self) { try PersonalisedMessage(PushMessage(title: "Hi {{user.firstName", body: "x"), field: "variants[1].message") }
        let error = #expect(throws: PerchError.self) { try PersonalisedMessage(PushMessage(title: "ok", body: "{{oops}}"), field: "message") }
        #expect(error?.field == "message.body")
        let huge = try PersonalisedMessage(PushMessage(title: "t", body: String(repeating: "x", count: 5000)))
        #expect(huge.sizeProblem()?.contains("APNs") == true)
        #expect(try PersonalisedMessage(PushMessage(title: "t", body: "fine")).sizeProblem() == nil)
        #expect(try PersonalisedMessage(PushMessage(title: "{{user.name}}", body: "b")).missingDefaults == ["user.name"])
    }
}
