import Foundation

extension PerchClient {
    /// Registers the PushKit VoIP token (`pushRegistry(_:didUpdate:for:)` with `.voIP`). Perch sends VoIP pushes to it
    /// with `POST /v1/send` and `"kind": "voip"`; campaigns never reach it.
    @discardableResult
    public func registerVoIPToken(_ token: Data, environment: APNsEnvironment, details: InstallationDetails = InstallationDetails()) async throws -> Registration {
        guard !token.isEmpty else { throw PerchClientError(.invalidArgument, "the VoIP token is empty") }
        return try await register(platform: "apns", token: Self.hex(token), environment: environment.rawValue, details: details,
                                  kind: "voip", lastTokenKey: Self.lastTokenKey + ".voip")
    }

    /// Registers a Live Activity push-to-start token (`Activity<Attributes>.pushToStartTokenUpdates`, iOS 17.2+) for the
    /// activity type named by `activityType` (the `ActivityAttributes` type's name, as APNs' `attributes-type` names it).
    /// A new start token for the same type replaces the one before.
    ///
    /// An app that sends to iOS through FCM passes `viaFCM: true`: the token is registered with platform `fcm`, and Perch
    /// sends each Live Activity push to the installation's FCM token (registered with `register(fcmToken:)`) carrying
    /// this token as `apns.live_activity_token`. `environment` is APNs' and is not sent then.
    @discardableResult
    public func registerLiveActivityStartToken(activityType: String, token: Data, environment: APNsEnvironment? = nil, viaFCM: Bool = false,
                                               details: InstallationDetails = InstallationDetails()) async throws -> Registration {
        guard !token.isEmpty else { throw PerchClientError(.invalidArgument, "the push-to-start token is empty") }
        return try await register(platform: viaFCM ? "fcm" : "apns", token: Self.hex(token), environment: viaFCM ? nil : environment?.rawValue,
                                  details: details,
                                  kind: "liveActivityStart", activityType: activityType,
                                  lastTokenKey: Self.lastTokenKey + ".liveActivityStart." + activityType)
    }

    /// Registers a running activity's update token (`activity.pushTokenUpdates`). Perch reaches it with
    /// `POST /v1/live-activities/{activityId}/update` and `/end`; it expires when the activity ends, or 12 hours after it
    /// was registered. `viaFCM: true` registers it for an app that sends to iOS through FCM, as for a push-to-start token.
    @discardableResult
    public func registerLiveActivityToken(activityId: String, activityType: String, token: Data, environment: APNsEnvironment? = nil,
                                          viaFCM: Bool = false, details: InstallationDetails = InstallationDetails()) async throws -> Registration {
        guard !token.isEmpty else { throw PerchClientError(.invalidArgument, "the Live Activity token is empty") }
        return try await register(platform: viaFCM ? "fcm" : "apns", token: Self.hex(token), environment: viaFCM ? nil : environment?.rawValue,
                                  details: details,
                                  kind: "liveActivity", activityType: activityType, activityId: activityId,
                                  lastTokenKey: Self.lastTokenKey + ".liveActivity." + activityId)
    }
}
