import Foundation
import PerchCore
import PerchSimulator

/// The population's push destinations, and what the simulator must know about them: the Web Push
/// subscriptions it handed out (with their keys) and the tokens it is to reject as dead.
public struct DemoDevices: Sendable {
    /// Each installation's destination, by ``DemoInstallation/index``.
    public let destinations: [PushDestination]
    /// Installation index by the token the push service sees (APNs hex, FCM token, Web Push endpoint URL).
    public let indexByIdentity: [String: Int]
    /// What every token is derived from (the VoIP and Live Activity tokens too).
    public let material: DemoTokenMaterial

    /// Derives every destination and tells `simulator` (started) the subscriptions and the dead tokens.
    public init(population: DemoPopulation, material: DemoTokenMaterial, simulator: PushSimulator, applicationServerKey: Data?) {
        var destinations: [PushDestination] = []
        destinations.reserveCapacity(population.installations.count)
        var indexByIdentity: [String: Int] = [:]
        indexByIdentity.reserveCapacity(population.installations.count)
        for installation in population.installations {
            let destination: PushDestination
            switch installation.platform {
            case .apns:
                destination = .apns(token: material.apnsToken(installation.index), environment: .production)
            case .fcm:
                destination = .fcm(token: material.fcmToken(installation.index))
            case .webpush:
                let parts = material.webPushSubscription(installation.index)
                let info = simulator.addWebPushSubscription(id: parts.id, privateKey: parts.privateKey, authSecret: parts.authSecret,
                                                            applicationServerKey: applicationServerKey)
                destination = PushDestination.webPush(endpoint: info.endpoint, p256dh: info.p256dh, auth: info.auth)!
            }
            if installation.isDead {
                simulator.markInvalid(platform: installation.platform, token: destination.identity)
            }
            indexByIdentity[destination.identity] = installation.index
            destinations.append(destination)
        }
        self.destinations = destinations
        self.indexByIdentity = indexByIdentity
        self.material = material
    }
}
