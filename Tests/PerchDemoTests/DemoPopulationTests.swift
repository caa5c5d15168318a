import Foundation
import PerchCore
import Crypto
import PerchDemo
import Testing

@Suite("The demo population")
struct DemoPopulationTests {
    let population = DemoPopulation(size: 20_000, seed: 42)

    @Test func theSameSeedDrawsTheSamePopulation() {
        let again = DemoPopulation(size: 20_000, seed: 42)
        #expect(again.installations == population.installations)
        #expect(again.users == population.users)
        #expect(DemoPopulation(size: 20_000, seed: 43).installations != population.installations)
    }

    @Test func itHasExactlyTheAskedSizeWithUniqueInstallationIds() {
        #expect(population.installations.count == 20_000)
        #expect(Set(population.installations.map(\.installationId)).count == 20_000)
        #expect(population.installations.enumerated().allSatisfy { $0.offset == $0.element.index })
    }

    @Test func everyPlatformIsWellRepresented() {
        let byPlatform = Dictionary(grouping: population.installations, by: \.platform).mapValues(\.count)
        for platform in Platform.allCases {
            #expect(Double(byPlatform[platform] ?? 0) / 20_000 > 0.12, "\(platform) has \(byPlatform[platform] ?? 0)")
        }
    }

    @Test func someUsersHaveSeveralDevicesAndSomeInstallsAreAnonymous() {
        let devices = population.installationsByUser.values.map(\.count)
        #expect(devices.filter { $0 == 1 }.count > devices.filter { $0 == 2 }.count)
        #expect(devices.contains(3))
        #expect(devices.allSatisfy { (1...3).contains($0) })
        let anonymous = population.installations.filter { $0.userId == nil }.count
        #expect((0.1...0.3).contains(Double(anonymous) / 20_000))
    }

    @Test func consentStalenessAndDeadTokensAreMixed() {
        let consent = Dictionary(grouping: population.installations, by: \.consent).mapValues(\.count)
        for answer in DemoInstallation.Consent.allCases { #expect((consent[answer] ?? 0) > 500, "\(answer)") }
        let stale = population.installations.filter { (30..<270).contains($0.lastSeenDaysAgo) }.count
        let expired = population.installations.filter { $0.lastSeenDaysAgo >= 270 }.count
        let dead = population.installations.filter(\.isDead).count
        #expect(stale > 1000 && expired > 300 && dead > 300)
    }

    @Test func usersCarryAttributesForSegmentsAndPersonalisation() {
        let plans = Set(population.users.compactMap { $0.attributes["plan"]?.stringValue })
        #expect(plans == ["free", "pro", "team"])
        let named = population.users.filter { $0.attributes["firstName"] != nil }.count
        #expect(named > population.users.count / 2 && named < population.users.count, "some users lack a first name, so defaults show")
        #expect(population.users.allSatisfy { $0.attributes["country"]?.stringValue?.count == 2 })
    }

    @Test func historyHasPromptsOpensAndConversionsInThePast() {
        let events = population.installations.flatMap(\.events)
        let types = Set(events.map(\.type.rawValue))
        #expect(types.isSuperset(of: ["prompt_shown", "permission_granted", "permission_denied", "permission_revoked", "opened", "converted"]))
        #expect(events.allSatisfy { $0.daysAgo > 0 })
        #expect(events.filter { $0.type == .converted }.allSatisfy { ($0.value ?? 0) > 0 && $0.currency?.count == 3 })
        let unasked = population.installations.filter { $0.consent == .notAsked }
        #expect(unasked.allSatisfy { !$0.events.contains { $0.type == .promptShown } }, "nobody unasked saw a prompt")
    }

    @Test func iOSInstallationsHoldVoIPAndLiveActivityTokensAndNobodyElseDoes() {
        let withKinds = population.installations.filter { !$0.kinds.isEmpty }
        #expect(withKinds.allSatisfy { $0.platform == .apns }, "VoIP and Live Activity tokens are Apple's")
        let kinds = population.installations.flatMap(\.kinds)
        let apns = Double(population.installations.filter { $0.platform == .apns }.count)
        #expect((0.15...0.25).contains(Double(kinds.filter { $0 == .voip }.count) / apns))
        #expect((0.30...0.40).contains(Double(kinds.filter { $0 == .liveActivityStart(activityType: "DeliveryAttributes") }.count) / apns))
        let running = withKinds.filter { $0.kinds.contains { $0.activityId != nil } }
        #expect(running.count > 100, "orders on their way: Live Activity update tokens")
        #expect(running.allSatisfy { $0.kinds.contains(.liveActivityStart(activityType: "DeliveryAttributes")) })
        #expect(Set(kinds.compactMap(\.activityId)).count == running.count, "one activity per running order")
    }
}

@Suite("The demo's token material")
struct DemoTokenMaterialTests {
    let material = DemoTokenMaterial(seed: Data(repeating: 7, count: 32))

    @Test func tokensAreValidForTheirPlatformAndStable() {
        let apns = material.apnsToken(3)
        #expect(apns.count == 64 && apns.allSatisfy(\.isHexDigit))
        #expect(material.apnsToken(3) == apns && material.apnsToken(4) != apns)
        let fcm = material.fcmToken(3)
        #expect((100...4096).contains(fcm.count))
        #expect(fcm.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_:".unicodeScalars.contains($0) })
    }

    @Test func webPushKeysAreDerivedAgainIdentically() {
        let first = material.webPushSubscription(9), again = material.webPushSubscription(9)
        #expect(first.id == again.id && first.authSecret == again.authSecret && first.authSecret.count == 16)
        #expect(first.privateKey.rawRepresentation == again.privateKey.rawRepresentation)
        #expect(material.webPushSubscription(10).privateKey.rawRepresentation != first.privateKey.rawRepresentation)
        #expect(DemoTokenMaterial(seed: Data(repeating: 8, count: 32)).webPushSubscription(9).id != first.id)
    }
    @Test func kindTokensAreAPNsTokensDistinctFromTheDeviceToken() {
        let kinds: [TokenKind] = [.voip, .liveActivityStart(activityType: "DeliveryAttributes"),
                                  .liveActivityStart(activityType: "MatchAttributes"),
                                  .liveActivity(activityType: "DeliveryAttributes", activityId: "demo-order-000003")]
        let tokens = kinds.map { material.apnsToken(3, kind: $0) }
        #expect(tokens.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })
        #expect(Set(tokens + [material.apnsToken(3)]).count == 5)
        #expect(tokens == kinds.map { material.apnsToken(3, kind: $0) })
    }
}
