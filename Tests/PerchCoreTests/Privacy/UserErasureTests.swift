import Testing
@testable import PerchCore

@Suite("Erasure: a person leaves no trace in the audiences that named them")
struct UserErasureTests {
    let erasure = UserErasure(userId: "alice", installationIds: ["i-alice-phone", "i-alice-tablet"])
    let message = PushMessage(title: "t", body: "b")

    @Test("the user id and the user's installation ids are taken out of an audience, everyone else stays")
    func scrubsAudience() throws {
        let named = CampaignDefinition(name: "n", audience: .init(userIds: ["bob", "alice", "carol"]), message: message)
        #expect(try #require(erasure.scrubbed(named)).audience.userIds == ["bob", "carol"])
        let direct = CampaignDefinition(name: "d", audience: .init(installationIds: ["i-alice-tablet", "i-bob"]), message: message)
        #expect(try #require(erasure.scrubbed(direct)).audience.installationIds == ["i-bob"])
    }

    @Test("a definition that does not name the person is left as it is (nothing to write)")
    func untouched() {
        #expect(erasure.scrubbed(CampaignDefinition(name: "s", audience: .init(filter: "known"), message: message)) == nil)
        #expect(erasure.scrubbed(CampaignDefinition(name: "b", audience: .init(userIds: ["bob"]), message: message)) == nil)
    }
}
