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

    @Test func ipLiteralsAndLocalNamesAreRefusedBeforeResolution() {
        let policy = EndpointPolicy()
        for url in ["https://127.0.0.1/push", "https://[::1]/push", "https://8.8.8.8/push", "https://localhost/push", "https://printer.local/x"] {
            expectPerchError(field: "subscription.endpoint", code: .forbiddenEndpoint) {
                _ = try policy.checkHost(of: URL(string: url)!, field: "subscription.endpoint")
            }
        }
    }

    @Test func namesNeedResolutionAndEveryAddressMustBePublic() throws {
        let policy = EndpointPolicy()
        #expect(try policy.checkHost(of: URL(string: "https://fcm.googleapis.com/fcm/send/x")!, field: "f") == false)
        #expect(throws: PerchError.self) { try policy.checkResolved([IPAddress("142.250.185.74")!, IPAddress("10.0.0.1")!], field: "f") }
        #expect(throws: PerchError.self) { try policy.checkResolved([], field: "f") }
        try policy.checkResolved([IPAddress("142.250.185.74")!], field: "f")
    }

    @Test func allowListedHostsSkipTheAddressRules() throws {
        let policy = EndpointPolicy(allowedHosts: ["127.0.0.1", "*.push.internal.example"])
        #expect(try policy.checkHost(of: URL(string: "https://127.0.0.1:8443/push/1")!, field: "f"))
        #expect(try policy.checkHost(of: URL(string: "https://eu.push.internal.example/p")!, field: "f"))
        #expect(throws: PerchError.self) { try policy.checkHost(of: URL(string: "https://127.0.0.2/push")!, field: "f") }
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
