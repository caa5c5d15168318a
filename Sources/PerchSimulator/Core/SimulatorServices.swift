/// The three services of a started simulator and where they listen.
struct SimulatorServices: Sendable {
    let apns: SimulatedAPNs
    let fcm: SimulatedFCM
    let webPush: SimulatedWebPush
    let endpoints: SimulatorEndpoints
}
