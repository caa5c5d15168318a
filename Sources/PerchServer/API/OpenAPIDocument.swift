import PerchCore

/// The OpenAPI 3.1 description of every route the server implements. A test compares
/// ``operations`` with the router's routes so the two cannot drift apart.
public enum OpenAPIDocument {
    /// One documented operation.
    public struct Operation: Sendable {
        public var method: String
        public var path: String
        public var summary: String
        /// `nil` for public routes, else `admin`, `secret` or `publishable`.
        public var key: String?
        public var requestSchema: String?
        public var success: Int
        public var responseSchema: String?
    }

    public static let operations: [Operation] = [
        .init(method: "GET", path: "/healthz", summary: "Liveness", key: nil, success: 200),
        .init(method: "GET", path: "/metrics",
              summary: "Prometheus metrics (text exposition format). Bearer PERCH_METRICS_TOKEN on this port (404 when none is set); open on --metrics-port unless the token is set; no CORS",
              key: "metrics token", success: 200),
        .init(method: "GET", path: "/openapi.json", summary: "This document", key: nil, success: 200),
        .init(method: "GET", path: "/sdk/perch.js", summary: "The web SDK (ES module); see docs/clients.md", key: nil, success: 200),
        .init(method: "GET", path: "/sdk/perch-sw.js", summary: "The web SDK's service worker script, for importScripts", key: nil,
              success: 200),
        .init(method: "GET", path: "/sdk/example.html", summary: "A working web push example page for the SDK; served only with perch serve --sdk-example (PERCH_SDK_EXAMPLE=1), 404 otherwise",
              key: nil, success: 200),
        .init(method: "GET", path: "/sdk/example-sw.js", summary: "The example page's service worker; served only with --sdk-example", key: nil, success: 200),
        // The dashboard (docs/dashboard.md): HTML pages behind a session cookie opened with the app's secret key.
        .init(method: "GET", path: "/", summary: "Dashboard: token health (HTML; query platform, appVersion, days); without a session 303 to /signin",
              key: nil, success: 200),
        .init(method: "GET", path: "/campaigns", summary: "Dashboard: campaigns with status and counts (HTML)", key: nil, success: 200),
        .init(method: "GET", path: "/campaigns/{campaignId}", summary: "Dashboard: one campaign's report (HTML)", key: nil, success: 200),
        .init(method: "GET", path: "/users", summary: "Dashboard: user lookup by userId or installationId (HTML)", key: nil, success: 200),
        .init(method: "GET", path: "/signin", summary: "Dashboard: the sign-in form (HTML)", key: nil, success: 200),
        .init(method: "POST", path: "/signin", summary: "Dashboard: sign in with the app's secret key (form field key); sets the session cookie",
              key: nil, success: 303),
        .init(method: "POST", path: "/signout", summary: "Dashboard: sign out (ends the session on every process and clears the cookie)",
              key: nil, success: 303),
        .init(method: "GET", path: "/dashboard/style.css", summary: "Dashboard: its stylesheet", key: nil, success: 200),
        .init(method: "GET", path: "/dashboard/dashboard.js", summary: "Dashboard: its script (live counts, message preview, progress)", key: nil, success: 200),
        .init(method: "GET", path: "/campaigns/new", summary: "Dashboard: the campaign composer (HTML; fields named by API JSON paths)", key: nil, success: 200),
        .init(method: "POST", path: "/campaigns/new", summary: "Dashboard: save the composer's draft (form, CSRF token), then to the dry run or the send's confirmation",
              key: nil, success: 303),
        .init(method: "GET", path: "/campaigns/{campaignId}/edit", summary: "Dashboard: a draft in the composer (HTML)", key: nil, success: 200),
        .init(method: "POST", path: "/campaigns/{campaignId}/edit", summary: "Dashboard: save the draft (form, CSRF token)", key: nil, success: 303),
        .init(method: "GET", path: "/campaigns/{campaignId}/dry-run", summary: "Dashboard: the dry run and, for a draft, the send's confirmation (HTML)",
              key: nil, success: 200),
        .init(method: "POST", path: "/campaigns/{campaignId}/send", summary: "Dashboard: send a draft (form, CSRF token)", key: nil, success: 303),
        .init(method: "POST", path: "/campaigns/{campaignId}/cancel", summary: "Dashboard: cancel (form, CSRF token)", key: nil, success: 303),
        .init(method: "GET", path: "/segments", summary: "Dashboard: segments (HTML)", key: nil, success: 200),
        .init(method: "GET", path: "/segments/new", summary: "Dashboard: a new segment's editor with its live count (HTML)", key: nil, success: 200),
        .init(method: "POST", path: "/segments/new", summary: "Dashboard: save a new segment (form, CSRF token)", key: nil, success: 303),
        .init(method: "GET", path: "/segments/{segmentId}", summary: "Dashboard: a segment's editor (HTML)", key: nil, success: 200),
        .init(method: "POST", path: "/segments/{segmentId}", summary: "Dashboard: save a segment (form, CSRF token)", key: nil, success: 303),
        .init(method: "POST", path: "/dashboard/preview/segment", summary: "Dashboard script: {filter} → {installations, people}, or the parse error with its position "
                  + "(session cookie and X-CSRF-Token)", key: nil, success: 200),
        .init(method: "POST", path: "/dashboard/preview/message", summary: "Dashboard script: the composer's fields → {html} of the message preview per platform "
                  + "(session cookie and X-CSRF-Token)", key: nil, success: 200),
        .init(method: "POST", path: "/v1/apps", summary: "Create an app; answers its keys once", key: "admin",
              requestSchema: "CreateApp", success: 201, responseSchema: "CreatedApp"),
        .init(method: "GET", path: "/v1/apps/{appId}", summary: "The app and its settings (identityVerification); no keys or secrets",
              key: "secret", success: 200, responseSchema: "App"),
        .init(method: "PATCH", path: "/v1/apps/{appId}",
              summary: "Change the app's settings: identityVerification required|off (off lets any publishable-key holder bind any user id)",
              key: "secret", requestSchema: "AppSettings", success: 200, responseSchema: "App"),
        .init(method: "POST", path: "/v1/apps/{appId}/keys/rotate",
              summary: "New publishable and secret keys (shown once); the old ones work for graceSeconds (default 86400, 0 = now, at most 30 days); "
                  + "dashboard sessions end. The body is optional",
              key: "secret", requestSchema: "Rotation", success: 200, responseSchema: "RotatedKeys"),
        .init(method: "POST", path: "/v1/apps/{appId}/identity-secret/rotate",
              summary: "A new identity secret (shown once); userAuth signed with the old one verifies for graceSeconds (default 86400). The body is optional",
              key: "secret", requestSchema: "Rotation", success: 200, responseSchema: "RotatedIdentitySecret"),
        .init(method: "PUT", path: "/v1/apps/{appId}/gateways/{platform}",
              summary: "Store the app's credentials for apns, fcm or webpush (sealed at rest; private keys never shown back)",
              key: "secret", requestSchema: "GatewaySettings", success: 200, responseSchema: "Gateway"),
        .init(method: "POST", path: "/v1/tokens", summary: "Register or refresh a token (201 created, 200 updated)", key: "publishable",
              requestSchema: "Registration", success: 201, responseSchema: "Token"),
        .init(method: "GET", path: "/v1/installations/{installationId}", summary: "An installation with its consent history (extension)",
              key: "secret", success: 200, responseSchema: "Installation"),
        .init(method: "DELETE", path: "/v1/installations/{installationId}", summary: "Unregister: the token becomes revoked. The publishable key is answered {installationId, status} only, "
                  + "the same for an unknown installation (security.md)",
              key: "publishable", success: 200, responseSchema: "Installation"),
        .init(method: "PUT", path: "/v1/installations/{installationId}/consent", summary: "Record consent (granted, denied, revoked). The publishable key is answered {installationId, consent} only, "
                  + "the same for an unknown installation (security.md)",
              key: "publishable", requestSchema: "Consent", success: 200, responseSchema: "Installation"),
        .init(method: "POST", path: "/v1/identify",
              summary: "Bind an installation to a user; a move from another user is logged. With the publishable key, binding or moving needs "
                  + "userAuth (HS256 JWT, identity secret, sub = userId, exp) unless the app's identityVerification is off; 401 field userAuth. "
                  + "The publishable key is answered {installationId, userId} only, the same for an unknown installation (nothing is stored for it)",
              key: "publishable", requestSchema: "Identify", success: 200, responseSchema: "Binding"),
        .init(method: "POST", path: "/v1/logout", summary: "Unbind an installation from its user (the publishable key: {installationId, userId: null}, "
                  + "the same for an unknown installation)", key: "publishable",
              requestSchema: "Logout", success: 200, responseSchema: "Binding"),
        .init(method: "POST", path: "/v1/events", summary: "Record up to 1,000 events; each item answered on its own",
              key: "publishable", requestSchema: "Events", success: 200, responseSchema: "EventResults"),
        .init(method: "PUT", path: "/v1/users/{userId}", summary: "Merge user attributes (null removes a key)", key: "secret",
              requestSchema: "UserAttributes", success: 200, responseSchema: "User"),
        .init(method: "GET", path: "/v1/users/{userId}", summary: "Profile, installations, consent, reachability (no raw tokens)",
              key: "secret", success: 200, responseSchema: "User"),
        .init(method: "DELETE", path: "/v1/users/{userId}", summary: "Erase everything about the user, including the stored Idempotency-Key answers that name the user, one of their installations or tokens (a retry of such a request is then handled anew)", key: "secret", success: 200),
        .init(method: "GET", path: "/v1/users/{userId}/export", summary: "Everything about the user, tokens decrypted", key: "secret",
              success: 200),
        .init(method: "POST", path: "/v1/send",
              summary: "Transactional send to an installation or a user's devices (device policy), durable like a campaign; waits for the outcomes (accepted, retired, kept, retry, message_error, credential_error, failed, expired, suppressed) unless wait is false (then 202). kind voip sends a PushKit push to the target's VoIP tokens (topic <bundle id>.voip, priority 10, payload up to 5120 bytes)",
              key: "secret", requestSchema: "Send", success: 200, responseSchema: "SendResults"),
        .init(method: "POST", path: "/v1/live-activities",
              summary: "Start a Live Activity for an audience through its push-to-start tokens of activityType (consent always; frequencyCap as campaigns): apns-push-type liveactivity to <bundle id>.push-type.liveactivity, aps.event start with attributes-type and attributes (a token registered with platform fcm goes through FCM: message.token is the installation's FCM token, apns.live_activity_token the push-to-start token, apns.headers apns-push-type liveactivity, apns.payload the same aps). Answers 202 with the send's campaignId (GET /v1/campaigns/{id}, /explain) and the tokens queued and left out",
              key: "secret", requestSchema: "LiveActivityStart", success: 202, responseSchema: "LiveActivitySend"),
        .init(method: "POST", path: "/v1/live-activities/{activityId}/update",
              summary: "Update a running Live Activity: every live update token of activityId (aps.event update); caps do not apply, consent does. Answers 202 with the tokens queued",
              key: "secret", requestSchema: "LiveActivityChange", success: 202, responseSchema: "LiveActivitySend"),
        .init(method: "POST", path: "/v1/live-activities/{activityId}/end",
              summary: "End a Live Activity: every live update token of activityId (aps.event end, dismissal-date); the activity's update tokens then expire. Answers 202 with the tokens queued",
              key: "secret", requestSchema: "LiveActivityChange", success: 202, responseSchema: "LiveActivitySend"),
        .init(method: "POST", path: "/v1/segments", summary: "Save an audience filter", key: "secret", requestSchema: "Segment", success: 201,
              responseSchema: "SegmentRecord"),
        .init(method: "GET", path: "/v1/segments", summary: "The app's segments (extension)", key: "secret", success: 200),
        .init(method: "GET", path: "/v1/segments/{segmentId}", summary: "One segment (extension)", key: "secret", success: 200,
              responseSchema: "SegmentRecord"),
        .init(method: "PUT", path: "/v1/segments/{segmentId}", summary: "Rename a segment and replace its filter (extension); campaigns naming it read "
                  + "the new filter when they start", key: "secret", requestSchema: "Segment", success: 200, responseSchema: "SegmentRecord"),
        .init(method: "POST", path: "/v1/segments/preview", summary: "How many installations and people an unsaved filter selects now; a parse error is a "
                  + "400 naming filter and the position", key: "secret", requestSchema: "SegmentPreviewRequest", success: 200, responseSchema: "AudienceSize"),
        .init(method: "GET", path: "/v1/segments/{segmentId}/preview", summary: "How many tokens the segment selects now, and a sample (query sample=0..100)",
              key: "secret", success: 200, responseSchema: "SegmentPreview"),
        .init(method: "POST", path: "/v1/campaigns", summary: "Create a campaign (a draft); with trigger, a triggered campaign", key: "secret",
              requestSchema: "Campaign", success: 201, responseSchema: "CampaignStatus"),
        .init(method: "GET", path: "/v1/campaigns", summary: "The app's campaigns (extension)", key: "secret", success: 200),
        .init(method: "GET", path: "/v1/campaigns/{campaignId}", summary: "Status and counts", key: "secret", success: 200,
              responseSchema: "CampaignStatus"),
        .init(method: "PUT", path: "/v1/campaigns/{campaignId}", summary: "Replace a draft or scheduled campaign's definition", key: "secret",
              requestSchema: "Campaign", success: 200, responseSchema: "CampaignStatus"),
        .init(method: "POST", path: "/v1/campaigns/{campaignId}/send", summary: "Start (now or at schedule.at); triggered campaigns start listening",
              key: "secret", success: 202, responseSchema: "CampaignStatus"),
        .init(method: "POST", path: "/v1/campaigns/{campaignId}/dry-run",
              summary: "Plan the campaign now with the send's own planner, without sending or writing deliveries: tokens and people that would be "
                  + "sent to, per platform and variant, and tokens left out per reason (409 for a triggered campaign)",
              key: "secret", success: 200, responseSchema: "DryRun"),
        .init(method: "POST", path: "/v1/campaigns/{campaignId}/cancel", summary: "Stop: queued deliveries become suppressed(cancelled)",
              key: "secret", success: 200, responseSchema: "CampaignStatus"),
        .init(method: "GET", path: "/v1/campaigns/{campaignId}/report", summary: "Funnel with rates, variants, holdout lift (95% interval, p-value, reading), revocations within 7 days",
              key: "secret", success: 200, responseSchema: "CampaignReport"),
        .init(method: "GET", path: "/v1/campaigns/{campaignId}/explain",
              summary: "Why an installation was or was not sent to (query installationId)", key: "secret", success: 200, responseSchema: "Explain"),
        .init(method: "POST", path: "/api/push",
              summary: "gorush-compatible send: {notifications: [{tokens, platform: 1 iOS | 2 Android, message, title, …}]} answered as {counts, logs, success}; each notification a transactional send through the delivery queue (named api/push: in campaign metrics and explain), answered once the gateways answered (at most 10 s, like /v1/send); unknown tokens are registered, dead ones retired (secret key as Bearer or as the HTTP Basic password)",
              key: "secret", requestSchema: "GorushPush", success: 200, responseSchema: "GorushAnswer"),
        .init(method: "GET", path: "/v1/metrics/tokens", summary: "Token health, split by platform and by kind; query platform, appVersion and kind (device, voip, liveActivityStart, liveActivity) filter", key: "secret",
              success: 200, responseSchema: "TokenHealth"),
        .init(method: "GET", path: "/v1/metrics/tokens/growth", summary: "Live tokens per day with registrations and retirements (query days, platform, appVersion)",
              key: "secret", success: 200),
        .init(method: "GET", path: "/v1/metrics/tokens/survival",
              summary: "Per registration week and platform: the share of tokens still live 1, 7, 14, 30, 60 and 90 days later (query weeks, platform, appVersion)",
              key: "secret", success: 200),
        .init(method: "GET", path: "/v1/exports/{kind}",
              summary: "Stream deliveries, events or tokens (no raw tokens) as CSV or NDJSON for warehouses (query format=csv|ndjson, campaignId)",
              key: "secret", success: 200),
        .init(method: "GET", path: "/v1/metrics/opt-in", summary: "Opt-in (granted / prompted) by platform, app version and prompt strategy: installations whose first prompt_shown of a strategy falls in the period (query since, until, both inclusive; platform, appVersion)",
              key: "secret", success: 200),
    ]

    static func schema(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var object: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { object["required"] = .array(required.map(JSONValue.string)) }
        return .object(object)
    }

    static let string: JSONValue = ["type": "string"]
    static let nullableString: JSONValue = ["type": ["string", "null"]]
    static let anyObject: JSONValue = ["type": "object"]
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map(JSONValue.string))] }

    static let schemas: [String: JSONValue] = [
        "Error": schema(["error": schema(["code": string, "message": string, "field": string], required: ["code", "message"])],
                        required: ["error"]),
        "CreateApp": schema(["name": string, "bundleId": string, "webOrigin": string], required: ["name"]),
        "CreatedApp": schema(["id": string, "name": string, "publishableKey": string, "secretKey": string, "identitySecret": string,
                              "identityVerification": enumeration(IdentityVerification.allCases.map(\.rawValue)), "vapidPublicKey": string]),
        "App": schema(["id": string, "name": string, "bundleId": nullableString, "webOrigin": nullableString,
                       "identityVerification": enumeration(IdentityVerification.allCases.map(\.rawValue)), "vapidPublicKey": string,
                       "createdAt": string]),
        "AppSettings": schema(["identityVerification": enumeration(IdentityVerification.allCases.map(\.rawValue))],
                              required: ["identityVerification"]),
        "Rotation": schema(["graceSeconds": ["type": "integer", "minimum": 0, "maximum": .integer(RotationGrace.maximumSeconds),
                                             "default": .integer(RotationGrace.defaultSeconds)]]),
        "RotatedKeys": schema(["publishableKey": string, "secretKey": string, "previousKeysExpireAt": string]),
        "RotatedIdentitySecret": schema(["identitySecret": string, "previousSecretsExpireAt": string]),
        "GatewaySettings": [
            "description": "apns: {teamId, keyId, privateKey, topic, environment, endpoint?, caCertificate?}; fcm: {serviceAccount, endpoint?, caCertificate?}; webpush: {subject, vapidPrivateKey?, allowedEndpointHosts?, caCertificate?}. Where traffic may go is the operator's choice: endpoint is api.push.apple.com or api.sandbox.push.apple.com (port 443 or 2197) / fcm.googleapis.com (443), serviceAccount.token_uri is oauth2.googleapis.com (443), or a host the operator lists with --allow-gateway-hosts HOST[:PORT] (PERCH_ALLOW_GATEWAY_HOSTS); caCertificate only when every host it is trusted for is an operator host (for webpush: allowedEndpointHosts lists operator hosts only); allowedEndpointHosts only narrows. Else 400 forbidden_endpoint naming the field.",
            "type": "object",
        ],
        "Gateway": schema(["platform": string, "configured": ["type": "boolean"], "settings": anyObject, "updatedAt": string]),
        "Registration": schema([
            "platform": enumeration(Platform.allCases.map(\.rawValue)),
            "token": string,
            "subscription": schema(["endpoint": ["type": "string", "description": .string("https on port 443 of a push service (fcm.googleapis.com, *.push.services.mozilla.com, *.push.apple.com, *.notify.windows.com) or on a host the operator allows (--allow-gateway-hosts), narrowed by the app's allowedEndpointHosts; else 400 forbidden_endpoint (subscription.endpoint). Checked without DNS; addresses are checked, and pinned, at send time.")],
                                    "keys": schema(["p256dh": string, "auth": string], required: ["p256dh", "auth"])],
                                   required: ["endpoint", "keys"]),
            "environment": enumeration(["production", "sandbox"]),
            "installationId": string, "userId": nullableString, "previousToken": string,
            "appVersion": string, "locale": string, "timezone": string,
            "consent": enumeration(["granted", "denied"]), "attributes": anyObject,
            "kind": ["type": "string", "enum": .array(TokenKindName.allCases.map { .string($0.rawValue) }), "default": "device",
                     "description": "device (campaigns and /v1/send reach only these), voip (PushKit), liveActivityStart (push-to-start, with activityType; a new one replaces the installation's old one for that type) or liveActivity (an activity's update token, with activityType and activityId; expires when the activity ends or 12 hours after registration). voip tokens are APNs tokens (another platform is 400 naming kind). Live Activity tokens are APNs tokens too, registered with platform apns, or with platform fcm by an app that sends to iOS through FCM: the token is then still the APNs Live Activity token (hex, else 400 naming token), and each push goes to the installation's FCM device token carrying it as apns.live_activity_token (no FCM device token: the delivery is suppressed as fcm_token_missing); webpush is 400 naming kind"],
            "activityType": ["type": "string", "description": "the ActivityAttributes type name (APNs attributes-type); 1–128 of A–Z a–z 0–9 . _ : -"],
            "activityId": ["type": "string", "description": "the running activity's id; 1–128 of A–Z a–z 0–9 . _ : -"],
            "userAuth": ["type": "string", "description": "HS256 JWT from the app's backend (identity secret, sub = userId, exp); needed with the publishable key when userId binds or moves the installation"],
        ], required: ["platform", "installationId"]),
        "Token": schema(["id": string, "installationId": string, "status": enumeration(TokenStatusName.allCases.map(\.rawValue)),
                         "consent": nullableString, "userId": nullableString,
                         "kind": enumeration(TokenKindName.allCases.map(\.rawValue))]),
        "Installation": schema(["installationId": string, "platform": string, "userId": nullableString, "tokenId": nullableString,
                                "status": nullableString, "statusReason": nullableString, "consent": anyObject,
                                "consentHistory": ["type": "array"], "lastSeenAt": string, "lastTokenUpdateAt": string,
                                "reachable": ["type": "boolean"]]),
        "Consent": schema(["status": enumeration(ConsentStatus.allCases.map(\.rawValue)), "source": string], required: ["status"]),
        "Identify": schema(["installationId": string, "userId": string,
                            "userAuth": ["type": "string", "description": "HS256 JWT signed with the app's identity secret; sub = userId; exp required"]],
                           required: ["installationId", "userId"]),
        "Logout": schema(["installationId": string], required: ["installationId"]),
        "Binding": schema(["installationId": string, "userId": nullableString, "previousUserId": nullableString]),
        "Events": schema(["events": ["type": "array", "maxItems": 1000, "items": schema([
            "type": string, "installationId": string, "campaignId": string, "deliveryId": string, "name": string,
            "value": ["type": "number"], "currency": string, "at": string, "properties": anyObject,
        ], required: ["type", "installationId"])]], required: ["events"]),
        "EventResults": schema(["stored": ["type": "integer"], "rejected": ["type": "integer"], "results": ["type": "array"]]),
        "Send": schema(["to": schema(["installationId": string, "userId": string]),
                        "message": ref("Message"),
                        "ttlSeconds": ["type": "integer"], "bypassCaps": ["type": "boolean"],
                        "devicePolicy": enumeration(DevicePolicy.allCases.map(\.rawValue)), "wait": ["type": "boolean"],
                        "waitSeconds": ["type": "number"],
                        "kind": ["type": "string", "enum": ["device", "voip"], "default": "device",
                                 "description": "voip: a PushKit push to the target's VoIP tokens (apns-push-type voip, priority 10, topic <bundle id>.voip); the payload may reach 5120 bytes (else 400 naming message)"]],
                       required: ["to", "message"]),
        "LiveActivityStart": schema([
            "audience": schema(["segmentId": string, "filter": string, "userIds": ["type": "array", "items": string],
                                "installationIds": ["type": "array", "items": string]]),
            "activityType": ["type": "string", "description": "the ActivityAttributes type (aps.attributes-type); reaches the push-to-start tokens registered with it"],
            "attributes": anyObject, "contentState": anyObject,
            "alert": schema(["title": string, "body": string, "sound": string], required: ["title", "body"]),
            "staleDate": ["type": ["integer", "string"], "description": "Unix seconds or ISO 8601"],
            "relevanceScore": ["type": "number", "minimum": 0], "priority": ["type": "integer", "enum": [5, 10], "default": 10],
            "frequencyCap": anyObject, "bypassCaps": ["type": "boolean"], "ttlSeconds": ["type": "integer"],
        ], required: ["audience", "activityType", "attributes", "contentState"]),
        "LiveActivityChange": schema([
            "contentState": anyObject,
            "alert": schema(["title": string, "body": string, "sound": string], required: ["title", "body"]),
            "staleDate": ["type": ["integer", "string"], "description": "Unix seconds or ISO 8601"],
            "dismissalDate": ["type": ["integer", "string"], "description": "Unix seconds or ISO 8601; when the ended activity leaves the lock screen"],
            "relevanceScore": ["type": "number", "minimum": 0], "priority": ["type": "integer", "enum": [5, 10], "default": 10],
        ], required: ["contentState"]),
        "LiveActivitySend": schema(["campaignId": string, "event": enumeration(["start", "update", "end"]), "activityType": string,
                                    "activityId": string, "queued": ["type": "integer"], "people": ["type": "integer"],
                                    "leftOut": ["type": "object", "description": "tokens per reason code (consent_denied, frequency_cap_user, …)"]],
                                   required: ["campaignId", "event", "queued", "people", "leftOut"]),
        "Message": [
            "description": "A push message. The common fields render to every platform that defines them (docs/campaigns.md, Message fields); the apns, fcm and webpush blocks are merged over what Perch renders. Limits are checked when the message is created: 400 naming the field (message.collapseId, message.actions[0].title, …).",
            "type": "object", "required": ["title", "body"],
            "properties": [
                "title": string, "body": string, "data": anyObject,
                "url": ["type": "string", "description": "opened on tap"],
                "image": ["type": "string", "format": "uri", "maxLength": .integer(MessageFieldRules.urlMaxLength),
                          "description": "http(s); APNs payload image + mutable-content, FCM notification.image, Web Push image"],
                "badge": ["type": "integer", "minimum": 0, "maximum": .integer(MessageFieldRules.badgeRange.upperBound),
                          "description": "APNs aps.badge, FCM android.notification.notification_count, Web Push badge"],
                "sound": ["type": "string", "maxLength": .integer(MessageFieldRules.nameMaxLength), "description": "APNs aps.sound, FCM android.notification.sound"],
                "interruptionLevel": ["type": "string", "enum": .array(PushMessage.InterruptionLevel.allCases.map { .string($0.rawValue) }),
                                      "description": "APNs aps.interruption-level; another value is 400 naming the field and listing these"],
                "relevanceScore": ["type": "number", "minimum": 0, "maximum": 1, "description": "APNs aps.relevance-score"],
                "threadId": ["type": "string", "maxLength": .integer(MessageFieldRules.nameMaxLength), "description": "APNs aps.thread-id"],
                "collapseId": ["type": "string", "description": "at most 64 bytes: apns-collapse-id, FCM android.collapse_key, and the Web Push Topic unless topic is set (then at most 32 base64url characters)"],
                "channelId": ["type": "string", "maxLength": .integer(MessageFieldRules.nameMaxLength), "description": "FCM android.notification.channel_id"],
                "urgency": ["type": "string", "enum": .array(PushMessage.Urgency.allCases.map { .string($0.rawValue) }),
                            "description": "Web Push Urgency; high → apns-priority 10 and FCM android HIGH, else 5 and NORMAL; another value is 400 naming the field and listing these"],
                "topic": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$", "description": "Web Push Topic"],
                "actions": ["type": "array", "maxItems": .integer(MessageFieldRules.actionsMaxCount),
                            "items": schema(["action": string, "title": string, "icon": string], required: ["action", "title"]),
                            "description": "Web Push notification actions"],
                "requireInteraction": ["type": "boolean", "description": "Web Push: the notification stays until the user acts"],
                "localizations": ["type": "object", "maxProperties": .integer(PushMessage.localizationsLimit),
                                  "additionalProperties": ["type": "object", "description": "any subset of this message's fields (not localizations)"],
                                  "description": "per BCP 47 tag (de, pt-BR): the fields that differ; picked per installation locale (exact tag, then language, then the default); templates allowed; errors named message.localizations.de.title"],
                "apns": ["type": "object", "description": "{headers: {apns-push-type, apns-priority, apns-expiration, apns-collapse-id}, payload: {…}}"],
                "fcm": ["type": "object", "description": "merged into the FCM HTTP v1 message"],
                "webpush": ["type": "object", "description": "{headers: {TTL, Urgency, Topic}, payload: {…}}"],
            ],
        ],
        "SendResults": schema(["sendId": string, "complete": ["type": "boolean"], "results": ["type": "array", "items": schema([
            "deliveryId": string, "installationId": string, "tokenId": string, "platform": string, "state": string, "outcome": string,
            "gatewayMessageId": string, "reason": schema(["code": string, "status": ["type": "integer"], "detail": string])])]]),
        "Segment": schema(["name": string, "filter": string], required: ["name", "filter"]),
        "SegmentRecord": schema(["id": string, "name": string, "filter": string, "createdAt": string, "updatedAt": string]),
        "SegmentPreviewRequest": schema(["filter": string], required: ["filter"]),
        "AudienceSize": schema(["installations": ["type": "integer"], "people": ["type": "integer"]], required: ["installations", "people"]),
        "DryRun": schema(["tokens": ["type": "integer"], "people": ["type": "integer"],
                          "byPlatform": ["type": "object", "additionalProperties": ["type": "integer"]],
                          "byVariant": ["type": "object", "additionalProperties": ["type": "integer"]],
                          "leftOut": ["type": "object", "description": "tokens per reason code: holdout, consent_denied, frequency_cap_user, quiet_hours, device_policy, token_invalid, …",
                                      "additionalProperties": ["type": "integer"]]],
                         required: ["tokens", "people", "byPlatform", "byVariant", "leftOut"]),
        "SegmentPreview": schema(["segmentId": string, "count": ["type": "integer"], "sample": ["type": "array", "items": ref("Installation")]]),
        "Campaign": [
            "description": "audience: exactly one of segmentId, filter, userIds, installationIds. message: title/body/url may use {{user.x | default: \"y\"}}. variants: [{name, weight, message?}]. frequencyCap: {limit, windowSeconds} or a list. quietHours: {start: \"22:00\", end: \"08:00\", action: defer|skip, fallbackTimeZone}. schedule: {at?, localTime?: \"09:00\", optimized?, defaultHour?, windowHours?, fallbackTimeZone?}. trigger: {event, delaySeconds, cancelIf?}.",
            "type": "object", "required": ["name", "audience", "message"],
            "properties": [
                "name": string, "audience": schema(["segmentId": string, "filter": string, "userIds": ["type": "array"], "installationIds": ["type": "array"]]),
                "message": ref("Message"), "variants": ["type": "array", "items": schema(["name": string, "weight": ["type": "number"], "message": ref("Message")])], "holdoutPercent": ["type": "number"], "frequencyCap": [:],
                "quietHours": anyObject, "devicePolicy": enumeration(DevicePolicy.allCases.map(\.rawValue)), "schedule": anyObject,
                "ttlSeconds": ["type": "integer"], "includeStale": ["type": "boolean"], "bypassCaps": ["type": "boolean"], "trigger": anyObject,
                "attributionWindowDays": ["type": "number"],
            ],
        ],
        "CampaignStatus": schema(["id": string, "kind": enumeration(["campaign", "triggered", "transactional"]),
                                  "status": enumeration(CampaignStatus.allCases.map(\.rawValue)), "name": string, "definition": ref("Campaign"),
                                  "counts": anyObject, "pausedGateways": ["type": "array"], "startAt": string, "startedAt": string,
                                  "resolvedAt": string, "completedAt": string, "cancelledAt": string]),
        "CampaignReport": schema(["campaignId": string, "funnel": anyObject, "variants": ["type": "array"], "lift": anyObject,
                                  "byLocale": ["type": "object", "additionalProperties": anyObject,
                                               "description": "the funnel per localization sent (default: the default message)"],
                                  "byDay": ["type": "array", "description": "per UTC day, oldest first: the deliveries queued that day (tokens, queued, funnel.attempted/accepted, retired, failedByReason, suppressedByReason), the events of the attribution window that occurred that day (funnel.delivered/opened/converted/revenue, per variant too), and the people whose first conversion in the window fell that day per side of the holdout (treatmentConverters, holdoutConverters, with that day's treatmentRevenue, holdoutRevenue)",
                                            "items": schema(["day": ["type": "string", "format": "date-time"], "tokens": ["type": "integer"],
                                                             "queued": ["type": "integer"], "funnel": anyObject, "variants": ["type": "array"],
                                                             "retired": ["type": "integer"], "failedByReason": anyObject, "suppressedByReason": anyObject,
                                                             "treatmentConverters": ["type": "integer"], "treatmentRevenue": ["type": "number"],
                                                             "holdoutConverters": ["type": "integer"], "holdoutRevenue": ["type": "number"]])],
                                  "failedByReason": anyObject, "suppressedByReason": anyObject, "revocationsWithin7Days": ["type": "integer"],
                                  "unregistrationsWithin7Days": ["type": "integer"]]),
        "Explain": schema(["campaignId": string, "installationId": string, "verdict": string, "explanation": string, "decisions": ["type": "array"]]),
        "GorushPush": schema(["notifications": ["type": "array", "maxItems": 100, "items": schema([
            "notif_id": string, "tokens": ["type": "array", "items": string], "platform": ["type": "integer", "enum": [1, 2]],
            "message": string, "title": string, "priority": enumeration(["high", "normal"]), "topic": string, "image": string,
            "sound": ["type": ["string", "object"]], "data": anyObject, "badge": ["type": "integer"], "category": string,
            "thread_id": string, "alert": anyObject, "notification": anyObject, "content_available": ["type": "boolean"],
            "mutable_content": ["type": "boolean"], "expiration": ["type": "integer"], "time_to_live": ["type": "integer"],
            "collapse_key": string, "collapse_id": string, "push_type": string, "production": ["type": "boolean"],
            "development": ["type": "boolean"],
        ], required: ["tokens", "platform"])]], required: ["notifications"]),
        "GorushAnswer": schema(["counts": ["type": "integer"], "success": string, "logs": ["type": "array", "items": schema([
            "type": string, "platform": string, "token": string, "message": string, "error": string, "notif_id": string,
            "index": ["type": "integer"], "token_index": ["type": "integer"], "outcome": string, "reason": string])],
            "send_ids": ["type": "array", "items": ["type": ["string", "null"]],
                         "description": "Perch extension: per notification, the id of its transactional send (GET /v1/campaigns/{id}, /report, /explain), null when none of its tokens was sent to"]]),
        "UserAttributes": schema(["attributes": anyObject], required: ["attributes"]),
        "User": schema(["userId": string, "attributes": anyObject, "installations": ["type": "array", "items": ref("Installation")],
                        "reachability": anyObject]),
        "TokenHealth": schema(["total": ["type": "integer"], "byStatus": anyObject, "byPlatform": anyObject,
                               "byKind": ["type": "object", "description": "tokens per kind (device, voip, liveActivityStart, liveActivity), then status"],
                               "active": ["type": "integer"],
                               "validityRate": ["type": ["number", "null"]], "staleShare": ["type": ["number", "null"]],
                               "optIn": anyObject, "tokensPerUser": ["type": ["number", "null"]],
                               "duplicateTokenRate": ["type": ["number", "null"]], "retirementsByReason": anyObject]),
    ]

    /// The routes that take an `Idempotency-Key` (``IdempotencyMiddleware``).
    static let idempotentPaths: Set<String> = ["/v1/send", "/v1/campaigns", "/v1/campaigns/{campaignId}/send", "/api/push"]

    static let idempotencyKeyParameter: JSONValue = [
        "name": "Idempotency-Key", "in": "header", "required": false,
        "schema": ["type": "string", "minLength": 1, "maxLength": .integer(IdempotencyRecord.keyMaxLength), "pattern": "^[\\x20-\\x7E]+$"],
        "description": "Makes the request safe to retry: the same key with the same method, path and body within 24 hours answers the first answer again (header Idempotent-Replayed: true) and sends nothing; another body with the key is 422 (idempotency_key_reused); while the first is still being handled, 409. An error answer keeps nothing. Keys are per app; 1–255 printable ASCII characters, else 400 naming Idempotency-Key.",
    ]

    /// The document as a JSON value.
    public static var document: JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            var item: [String: JSONValue] = ["summary": .string(operation.summary)]
            var responses: [String: JSONValue] = [:]
            var success: [String: JSONValue] = ["description": "Success"]
            if let schema = operation.responseSchema {
                success["content"] = ["application/json": ["schema": ref(schema)]]
            }
            responses[String(operation.success)] = .object(success)
            let error: JSONValue = ["description": "Error", "content": ["application/json": ["schema": ref("Error")]]]
            responses["4XX"] = error
            if operation.requestSchema != nil {
                responses["413"] = ["description": "The body is over the route's limit (64 KiB; 1 MiB for /v1/events and /api/push)",
                                    "content": ["application/json": ["schema": ref("Error")]]]
                responses["415"] = ["description": "The body is not Content-Type: application/json (code unsupported_media_type)",
                                    "content": ["application/json": ["schema": ref("Error")]]]
            }
            if operation.key == "publishable" {
                responses["429"] = ["description": "Rate limited per installation (default 60/min, bursts of 60) and, when the operator sets them, per client address and per publishable key (PERCH_RATE_*); code rate_limited",
                                    "headers": ["Retry-After": ["description": "Seconds to wait", "schema": ["type": "integer"]]],
                                    "content": ["application/json": ["schema": ref("Error")]]]
            }
            item["responses"] = .object(responses)
            if let key = operation.key {
                item["security"] = [["bearer": []]]
                item["description"] = .string("Key: \(key).")
            }
            if let request = operation.requestSchema {
                item["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(request)]]]
            }
            var parameters = operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { segment -> JSONValue in
                ["name": .string(String(segment.dropFirst().dropLast())), "in": "path", "required": true, "schema": string]
            }
            if operation.method == "POST", idempotentPaths.contains(operation.path) {
                parameters.append(idempotencyKeyParameter)
                responses["409"] = ["description": "The first request with this Idempotency-Key is still being handled (code idempotency_key_in_progress)",
                                    "content": ["application/json": ["schema": ref("Error")]]]
                responses["422"] = ["description": "The Idempotency-Key was used for another request within 24 hours (code idempotency_key_reused)",
                                    "content": ["application/json": ["schema": ref("Error")]]]
                item["responses"] = .object(responses)
            }
            if !parameters.isEmpty { item["parameters"] = .array(parameters) }
            paths[operation.path, default: [:]][operation.method.lowercased()] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Perch", "version": "1.0.0",
                     "description": "Self-hosted push token registry and delivery engine. Errors: {\"error\":{\"code\",\"message\",\"field\"}}. A body must be Content-Type: application/json (else 415); a request without a body needs none. HTTP Basic (the key as password) is accepted on /api/push only; Bearer everywhere."],
            "paths": .object(paths.mapValues(JSONValue.object)),
            "components": ["schemas": .object(schemas),
                           "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }

    public static let json: String = document.jsonText
}
