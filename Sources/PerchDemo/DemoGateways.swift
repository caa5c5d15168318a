import Foundation
import PerchCore
import PerchDelivery
import PerchServer
import PerchSimulator
import PerchStore

/// Points an app's APNs, FCM and Web Push settings at a running ``PushSimulator`` — what
/// `perch apps connect-simulator` does from `credentials.json`, here from the simulator in process.
public enum DemoGateways {
    /// Stores the three gateways' settings (validated like `PUT /v1/apps/{appId}/gateways/…`, with the simulator's
    /// host as the operator's allowed host: `perch serve --demo` allows it too) and allows the simulator's host as a
    /// Web Push endpoint host.
    public static func connect(store: any PerchStore, appId: String, endpoints: SimulatorEndpoints, host: String, now: Date) async throws {
        guard case .object(let serviceAccount)? = JSONValue(jsonText: endpoints.fcmServiceAccountJSON) else {
            throw PerchError(.internalError, "the simulator's service account is not JSON")
        }
        let bodies: [Platform: [String: JSONValue]] = [
            .apns: [
                "teamId": .string(endpoints.apns.teamId), "keyId": .string(endpoints.apns.keyId),
                "privateKey": .string(endpoints.apns.privateKeyPEM), "topic": .string(endpoints.apns.topic),
                "environment": "production", "endpoint": .string(endpoints.apnsURL), "caCertificate": .string(endpoints.caCertificatePEM),
            ],
            .fcm: [
                "serviceAccount": .object(serviceAccount), "endpoint": .string(endpoints.fcmURL),
                "caCertificate": .string(endpoints.caCertificatePEM),
            ],
            .webpush: [
                "subject": "mailto:demo@perch.local", "allowedEndpointHosts": [.string(host)],
                "caCertificate": .string(endpoints.caCertificatePEM),
            ],
        ]
        for platform in Platform.allCases {
            guard let body = bodies[platform] else { continue }
            try await store.setGateway(appId: appId, settings: try GatewaySettingsRules.validate(
                platform: platform, body: body, now: now, allowedHosts: GatewayHostAllowList(entries: [.init(host: host)])))
        }
        try await store.setAllowedEndpointHosts(appId: appId, hosts: [host])
    }
}
