import Foundation

/// What a campaign is, as `POST /v1/campaigns` spells it: who (audience), what (message and
/// variants), and the rules that hold at send time (holdout, caps, quiet hours, device policy,
/// schedule, expiry). Stored as JSON; everything that decides a send is in here, so a rerun agrees.
public struct CampaignDefinition: Sendable, Hashable, Codable {
    /// Who the campaign is for: exactly one of a saved segment, an inline filter, user ids or installation ids.
    public struct Audience: Sendable, Hashable, Codable {
        public var segmentId: String?
        public var filter: String?
        public var userIds: [String]?
        /// Perch's extension, used by transactional sends to one installation.
        public var installationIds: [String]?

        public init(segmentId: String? = nil, filter: String? = nil, userIds: [String]? = nil, installationIds: [String]? = nil) {
            self.segmentId = segmentId
            self.filter = filter
            self.userIds = userIds
            self.installationIds = installationIds
        }
    }

    /// One A/B variant: a weight and the message fields it changes.
    public struct Variant: Sendable, Hashable, Codable {
        public var name: String
        public var weight: Double
        /// A whole message; the campaign's message when absent.
        public var message: PushMessage?

        public init(name: String, weight: Double, message: PushMessage? = nil) {
            self.name = name
            self.weight = weight
            self.message = message
        }
    }

    /// A trigger: the campaign is sent to one person after they do something.
    public struct Trigger: Sendable, Hashable, Codable {
        /// The custom event that starts it (`cart_abandoned`).
        public var event: String
        /// How long to wait before sending.
        public var delaySeconds: Int
        /// An event that, arriving from the same person between trigger and send, cancels the send (`purchase`).
        public var cancelIf: String?

        public init(event: String, delaySeconds: Int, cancelIf: String? = nil) {
            self.event = event
            self.delaySeconds = delaySeconds
            self.cancelIf = cancelIf
        }
    }

    public var name: String
    public var audience: Audience
    public var message: PushMessage
    public var variants: [Variant]?
    public var holdoutPercent: Double?
    /// Rolling caps, per user across all their devices and per installation when anonymous.
    public var frequencyCap: [FrequencyCap]?
    public var quietHours: QuietHours?
    public var devicePolicy: DevicePolicy?
    public var schedule: CampaignSchedule?
    public var ttlSeconds: Int?
    /// Whether `stale` tokens (unseen for a while, probably still valid) are sent to. Default true.
    public var includeStale: Bool?
    /// Transactional sends may bypass caps — never consent.
    public var bypassCaps: Bool?
    public var trigger: Trigger?
    /// Days after a delivery in which its `opened`/`converted` events count for the campaign. Default 3.
    public var attributionWindowDays: Double?
    /// Which of the audience's tokens are sent to: device tokens (`nil`), or VoIP or Live Activity tokens — set by
    /// `/v1/send` with `kind: voip` and the `/v1/live-activities` routes, never by a campaign's body.
    public var tokens: TokenSelection?
    /// The Live Activity event every delivery carries (the message's title and body are its alert).
    public var liveActivity: LiveActivityEvent?

    public init(name: String, audience: Audience, message: PushMessage, variants: [Variant]? = nil, holdoutPercent: Double? = nil,
                frequencyCap: [FrequencyCap]? = nil, quietHours: QuietHours? = nil, devicePolicy: DevicePolicy? = nil,
                schedule: CampaignSchedule? = nil, ttlSeconds: Int? = nil, includeStale: Bool? = nil, bypassCaps: Bool? = nil,
                trigger: Trigger? = nil, attributionWindowDays: Double? = nil, tokens: TokenSelection? = nil,
                liveActivity: LiveActivityEvent? = nil) {
        self.name = name
        self.audience = audience
        self.message = message
        self.variants = variants
        self.holdoutPercent = holdoutPercent
        self.frequencyCap = frequencyCap
        self.quietHours = quietHours
        self.devicePolicy = devicePolicy
        self.schedule = schedule
        self.ttlSeconds = ttlSeconds
        self.includeStale = includeStale
        self.bypassCaps = bypassCaps
        self.trigger = trigger
        self.attributionWindowDays = attributionWindowDays
        self.tokens = tokens
        self.liveActivity = liveActivity
    }

    /// The send-time rules this campaign applies.
    public var eligibility: Eligibility {
        Eligibility(includeStale: includeStale ?? true, userCaps: frequencyCap ?? [], tokenCaps: frequencyCap ?? [],
                    quietHours: quietHours, bypassCaps: bypassCaps ?? false)
    }

    /// The message of a variant (index into ``variants``), or the campaign's own.
    public func message(variant: Int?) -> PushMessage {
        guard let variant, let variants, variants.indices.contains(variant) else { return message }
        return variants[variant].message ?? message
    }

    /// Every distinct message the campaign may send, with where it is written (for up-front checks).
    public var messages: [(field: String, message: PushMessage)] {
        [("message", message)] + (variants ?? []).enumerated().compactMap { index, variant in
            variant.message.map { ("variants[\(index)].message", $0) }
        }
    }

    public var attributionWindow: TimeInterval { (attributionWindowDays ?? 3) * 86_400 }

    enum CodingKeys: String, CodingKey {
        case name, audience, message, variants, holdoutPercent, frequencyCap, quietHours, devicePolicy, schedule, ttlSeconds
        case includeStale, bypassCaps, trigger, attributionWindowDays, tokens, liveActivity
    }

    /// Decodes the contract's JSON; `frequencyCap` may be one cap or a list of caps.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        audience = try container.decodeIfPresent(Audience.self, forKey: .audience) ?? Audience()
        message = try container.decode(PushMessage.self, forKey: .message)
        variants = try container.decodeIfPresent([Variant].self, forKey: .variants)
        holdoutPercent = try container.decodeIfPresent(Double.self, forKey: .holdoutPercent)
        if let one = try? container.decodeIfPresent(FrequencyCap.self, forKey: .frequencyCap) {
            frequencyCap = [one]
        } else {
            frequencyCap = try container.decodeIfPresent([FrequencyCap].self, forKey: .frequencyCap)
        }
        quietHours = try container.decodeIfPresent(QuietHours.self, forKey: .quietHours)
        devicePolicy = try container.decodeIfPresent(DevicePolicy.self, forKey: .devicePolicy)
        schedule = try container.decodeIfPresent(CampaignSchedule.self, forKey: .schedule)
        ttlSeconds = try container.decodeIfPresent(Int.self, forKey: .ttlSeconds)
        includeStale = try container.decodeIfPresent(Bool.self, forKey: .includeStale)
        bypassCaps = try container.decodeIfPresent(Bool.self, forKey: .bypassCaps)
        trigger = try container.decodeIfPresent(Trigger.self, forKey: .trigger)
        attributionWindowDays = try container.decodeIfPresent(Double.self, forKey: .attributionWindowDays)
        tokens = try container.decodeIfPresent(TokenSelection.self, forKey: .tokens)
        liveActivity = try container.decodeIfPresent(LiveActivityEvent.self, forKey: .liveActivity)
    }
}
