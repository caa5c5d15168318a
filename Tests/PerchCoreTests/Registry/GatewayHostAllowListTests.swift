import Foundation
import Testing
@testable import PerchCore

@Suite("Where gateway traffic may go: the operator's host list")
struct GatewayHostAllowListTests {
    @Test func hostAllowsEveryPortHostAndPortOnlyThatOne() throws {
        let list = try GatewayHostAllowList(parsing: " sim.internal.example , 127.0.0.1:8443,[::1]:9443,::1, Relay.Example.:443 ")
        #expect(list.entries == [
            .init(host: "sim.internal.example"), .init(host: "127.0.0.1", port: 8443), .init(host: "::1", port: 9443), .init(host: "::1"),
            .init(host: "relay.example", port: 443),
        ])
        #expect(list.allows(host: "SIM.internal.example", port: 1) && list.allows(host: "sim.internal.example", port: 65_535))
        #expect(list.allows(host: "127.0.0.1", port: 8443))
        #expect(!list.allows(host: "127.0.0.1", port: 8444))
        #expect(list.allows(host: "[::1]", port: 1234))
        #expect(list.allows(host: "relay.example", port: 443) && !list.allows(host: "relay.example", port: 8443))
        #expect(!list.allows(host: "other.example", port: 443))
        #expect(!list.allows(host: "x.sim.internal.example", port: 443), "no wildcards: each host is one the operator vouches for")
        #expect(list.description == "sim.internal.example,127.0.0.1:8443,[::1]:9443,[::1],relay.example:443")
        #expect(try GatewayHostAllowList(parsing: "").isEmpty)
        #expect(GatewayHostAllowList.none.isEmpty)
    }

    @Test("malformed entries are refused, naming the setting", arguments: [
        "https://sim.example", "sim.example:0", "sim.example:65536", "sim.example:http", "[::1", "[not-an-ip]:443", "sim/example", "a b",
    ])
    func malformed(entry: String) {
        do {
            _ = try GatewayHostAllowList(parsing: "127.0.0.1," + entry, setting: "--allow-gateway-hosts")
            Issue.record("\(entry) was accepted")
        } catch {
            #expect(error.field == "--allow-gateway-hosts")
            #expect(error.message.contains(entry))
        }
    }

    @Test("APNs and FCM overrides name the real service, on its documented ports", arguments: [
        ("https://api.push.apple.com", GatewayHostAllowList.Override.apnsEndpoint), ("https://api.push.apple.com:2197", .apnsEndpoint),
        ("https://api.sandbox.push.apple.com:443", .apnsEndpoint), ("https://fcm.googleapis.com", .fcmEndpoint),
        ("https://oauth2.googleapis.com/token", .fcmTokenURI),
    ])
    func realServices(url: String, override: GatewayHostAllowList.Override) throws {
        #expect(try GatewayHostAllowList.none.check(url, as: override, field: "endpoint") == false)
    }

    @Test("anything else is a 400 naming the field", arguments: [
        ("https://api.push.apple.com:8443", GatewayHostAllowList.Override.apnsEndpoint), ("https://169.254.169.254", .apnsEndpoint),
        ("https://fcm.googleapis.com", .apnsEndpoint), ("https://127.0.0.1:9443", .fcmEndpoint), ("https://fcm.googleapis.com:2197", .fcmEndpoint),
        ("https://evil.example/token", .fcmTokenURI), ("https://fcm.googleapis.com/token", .fcmTokenURI),
        ("https://api.push.apple.com.evil.example", .apnsEndpoint),
    ])
    func refused(url: String, override: GatewayHostAllowList.Override) {
        expectPerchError(field: "serviceAccount.token_uri", code: .forbiddenEndpoint) {
            try GatewayHostAllowList.none.check(url, as: override, field: "serviceAccount.token_uri")
        }
    }

    @Test func overridesMustBeHTTPSWithoutCredentials() {
        for url in ["http://api.push.apple.com", "https://user:pw@api.push.apple.com", "not a url", "https://"] {
            expectPerchError(field: "endpoint", code: .invalidField) {
                try GatewayHostAllowList.none.check(url, as: .apnsEndpoint, field: "endpoint")
            }
        }
    }

    @Test func operatorHostsAreAcceptedOnTheirPorts() throws {
        let list = try GatewayHostAllowList(parsing: "127.0.0.1:9443,sim.internal.example")
        #expect(try list.check("https://127.0.0.1:9443/3/device", as: .apnsEndpoint, field: "endpoint"))
        #expect(try list.check("https://sim.internal.example:1/token", as: .fcmTokenURI, field: "serviceAccount.token_uri"))
        expectPerchError(field: "endpoint", code: .forbiddenEndpoint) {
            try list.check("https://127.0.0.1:9444", as: .fcmEndpoint, field: "endpoint")
        }
    }
}
