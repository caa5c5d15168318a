import Foundation
import Testing
@testable import PerchCore

@Suite("Web Push endpoint policy (SSRF guard)")
struct EndpointPolicyTests {
    @Test("non-public addresses are refused", arguments: [
        ("127.0.0.1", EndpointPolicy.ForbiddenRange.loopback), ("10.1.2.3", .privateNetwork), ("172.20.0.1", .privateNetwork),
        ("192.168.1.1", .privateNetwork), ("169.254.169.254", .cloudMetadata), ("169.254.10.1", .linkLocal),
        ("100.64.0.1", .carrierGradeNAT), ("100.100.100.200", .cloudMetadata), ("224.0.0.1", .multicast), ("0.0.0.0", .unspecified),
        ("255.255.255.255", .broadcast), ("::1", .loopback), ("::", .unspecified), ("fe80::1", .linkLocal), ("fd12:3456::1", .privateNetwork),
        ("fd00:ec2::254", .cloudMetadata), ("ff02::1", .multicast), ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.1", .privateNetwork),
        ("64:ff9b::a9fe:a9fe", .cloudMetadata),
    ])
    func refused(address: String, range: EndpointPolicy.ForbiddenRange) throws {
        let parsed = try #require(IPAddress(address))
        #expect(EndpointPolicy.forbiddenRange(of: parsed) == range)
    }

    @Test("public addresses pass", arguments: ["142.250.185.74", "17.188.166.12", "2a00:1450:4001:82a::200a", "100.128.0.1", "172.32.0.1"])
    func publicAddresses(address: String) throws {
        #expect(EndpointPolicy.forbiddenRange(of: try #require(IPAddress(address))) == nil)
    }

    @Test("the documented push services are accepted on port 443, without resolution", arguments: [
        "https://fcm.googleapis.com/fcm/send/abc:APA91b", "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGkWmA", "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA", "https://FCM.googleapis.com./x",
    ])
    func pushServices(url: String) throws {
        #expect(try EndpointPolicy().checkHost(of: URL(string: url)!, field: "subscription.endpoint") == false, "needs the send-time address check")
    }

    @Test("anything else is refused before any DNS, naming the field", arguments: [
        "https://127.0.0.1/push", "https://[::1]/push", "https://8.8.8.8/push", "https://[::ffff:169.254.169.254]/x", "https://localhost/push",
        "https://printer.local/x", "https://push.example.com/x", "https://fcm.googleapis.com:8443/x", "https://fcm.googleapis.com:80/x",
        "https://evil.push.services.mozilla.com.attacker.example/x", "https://notify.windows.com.attacker.example/x",
        "https://attackerfcm.googleapis.com/x", "http://fcm.googleapis.com/x",
    ])
    func refusedBeforeResolution(url: String) {
        expectPerchError(field: "subscription.endpoint", code: .forbiddenEndpoint) {
            _ = try EndpointPolicy().checkHost(of: URL(string: url)!, field: "subscription.endpoint")
        }
    }

    @Test func everyResolvedAddressMustBePublic() throws {
        let policy = EndpointPolicy()
        #expect(throws: PerchError.self) { try policy.checkResolved([IPAddress("142.250.185.74")!, IPAddress("10.0.0.1")!], field: "f") }
        #expect(throws: PerchError.self) { try policy.checkResolved([IPAddress("::ffff:127.0.0.1")!], field: "f") }
        #expect(throws: PerchError.self) { try policy.checkResolved([], field: "f") }
        try policy.checkResolved([IPAddress("142.250.185.74")!, IPAddress("2a00:1450:4001:82a::200a")!], field: "f")
    }

    @Test func operatorHostsAreAcceptedOnTheirPortsAndSkipTheAddressCheck() throws {
        let operatorHosts = try GatewayHostAllowList(parsing: "127.0.0.1:8443, relay.internal.example, [::1]:9443")
        let policy = EndpointPolicy(operatorHosts: operatorHosts)
        #expect(try policy.checkHost(of: URL(string: "https://127.0.0.1:8443/push/1")!, field: "f"))
        #expect(try policy.checkHost(of: URL(string: "https://relay.internal.example:7000/p")!, field: "f"))
        #expect(try policy.checkHost(of: URL(string: "https://relay.internal.example/p")!, field: "f"))
        #expect(try policy.checkHost(of: URL(string: "https://[::1]:9443/p")!, field: "f"))
        for refused in ["https://127.0.0.1:8444/push", "https://127.0.0.1/push", "https://[::1]:9444/p", "https://127.0.0.2:8443/push"] {
            expectPerchError(field: "f", code: .forbiddenEndpoint) { _ = try policy.checkHost(of: URL(string: refused)!, field: "f") }
        }
    }

    @Test func anAppsAllowedHostsOnlyNarrow() throws {
        let operatorHosts = GatewayHostAllowList(entries: [.init(host: "127.0.0.1")])
        // The app lists a host neither a push service nor the operator's: it cannot widen anything.
        let widening = EndpointPolicy(allowedHosts: ["push.example.com", "10.0.0.5"], operatorHosts: operatorHosts)
        for url in ["https://push.example.com/x", "https://10.0.0.5/x", "https://fcm.googleapis.com/x", "https://127.0.0.1:1/x"] {
            expectPerchError(field: "f", code: .forbiddenEndpoint) { _ = try widening.checkHost(of: URL(string: url)!, field: "f") }
        }
        // Narrowed to Mozilla: FCM and the operator's host are refused for this app, Mozilla is still address-checked.
        let narrowed = EndpointPolicy(allowedHosts: ["*.push.services.mozilla.com"], operatorHosts: operatorHosts)
        #expect(try narrowed.checkHost(of: URL(string: "https://updates.push.services.mozilla.com/wpush/v2/x")!, field: "f") == false)
        for url in ["https://fcm.googleapis.com/x", "https://127.0.0.1:1/x"] {
            expectPerchError(field: "f", code: .forbiddenEndpoint) { _ = try narrowed.checkHost(of: URL(string: url)!, field: "f") }
        }
        let local = EndpointPolicy(allowedHosts: ["127.0.0.1"], operatorHosts: operatorHosts)
        #expect(try local.checkHost(of: URL(string: "https://127.0.0.1:9443/push")!, field: "f"))
    }

    @Test func addressParsing() {
        #expect(IPAddress("1.2.3.4") == .v4([1, 2, 3, 4]))
        #expect(IPAddress("1.2.3") == nil)
        #expect(IPAddress("1.2.3.256") == nil)
        #expect(IPAddress("::ffff:1.2.3.4") == .v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4]))
        #expect(IPAddress("2001:db8::1")?.description == "2001:db8:0:0:0:0:0:1")
        #expect(IPAddress("push.example.com") == nil)
        #expect(IPAddress("1::2::3") == nil)
    }
}
