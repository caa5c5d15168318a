import Foundation

extension PushSimulator {
    /// Writes `ca.pem` and `credentials.json` (mode 0600: it holds private keys) into `directory`.
    /// `credentials.json` holds, per platform, the body Perch's gateway configuration endpoints take.
    static func writeStateFiles(
        _ endpoints: SimulatorEndpoints, host: String, serviceAccount: [String: String], to directory: String
    ) throws -> (caPath: String, credentialsPath: String) {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: directory)
        let caURL = base.appendingPathComponent("ca.pem")
        let credentialsURL = base.appendingPathComponent("credentials.json")
        try Data(endpoints.caCertificatePEM.utf8).write(to: caURL)

        let credentials: [String: Any] = [
            "caCertificatePath": caURL.path,
            "urls": [
                "apns": endpoints.apnsURL,
                "apnsSandbox": endpoints.apnsSandboxURL,
                "fcm": endpoints.fcmURL,
                "webPush": endpoints.webPushURL,
            ],
            "apns": [
                "teamId": endpoints.apns.teamId,
                "keyId": endpoints.apns.keyId,
                "privateKey": endpoints.apns.privateKeyPEM,
                "topic": endpoints.apns.topic,
                "environment": "production",
                "endpoint": endpoints.apnsURL,
                "sandboxEndpoint": endpoints.apnsSandboxURL,
                "caCertificate": endpoints.caCertificatePEM,
            ],
            "fcm": [
                "serviceAccount": serviceAccount,
                "endpoint": endpoints.fcmURL,
                "caCertificate": endpoints.caCertificatePEM,
            ],
            "webpush": [
                "url": endpoints.webPushURL,
                "subscriptionsURL": endpoints.webPushURL + "/_sim/subscriptions",
                "allowedEndpointHosts": [host],
                "caCertificate": endpoints.caCertificatePEM,
            ],
        ]
        let json = try JSONSerialization.data(
            withJSONObject: credentials, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        if fileManager.fileExists(atPath: credentialsURL.path) {
            try fileManager.removeItem(at: credentialsURL)
        }
        guard fileManager.createFile(atPath: credentialsURL.path, contents: json, attributes: [.posixPermissions: 0o600])
        else { throw SimulatorError.stateDirectory(directory) }
        return (caURL.path, credentialsURL.path)
    }
}
