import Testing
@testable import PerchCore

@Suite("Message templates")
struct MessageTemplateTests {
    @Test func personalisesWithDefaults() throws {
        let template = try MessageTemplate(#"Hi {{user.firstName | default: "there"}}, {{ user.points }} points in {{installation.locale}}"#)
        #expect(template.render(user: ["firstName": "Ada", "points": 1200], installation: ["locale": "en-GB"]) == "Hi Ada, 1200 points in en-GB")
        #expect(template.render(user: [:]) == "Hi there,  points in ")
        #expect(template.missingDefaults == ["user.points", "installation.locale"])
        #expect(try template.isPersonalised && !MessageTemplate("Plain text").isPersonalised)
        #expect(try MessageTemplate("Plain text").render(user: [:]) == "Plain text")
    }

    @Test func refusesBrokenTemplatesWithAPosition() {
        let unclosed = #expect(throws: FilterSyntaxError.self) { try MessageTemplate("Hello {{user.name") }
        #expect(unclosed?.position == 6)
        #expect(throws: FilterSyntaxError.self) { try MessageTemplate("{{password}}") }
        #expect(throws: FilterSyntaxError.self) { try MessageTemplate(#"{{user.name | upcase}}"#) }
        #expect(throws: FilterSyntaxError.self) { try MessageTemplate(#"{{user.name | default: there}}"#) }
    }
}
