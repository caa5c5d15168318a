/// A slice of an app's people that holds every person whole: the users whose ids fall in `(after, through]`, or the
/// anonymous installations (no user) whose ids do. A campaign's audience is resolved one slice at a time, so what it
/// holds in memory does not grow with the audience, while every rule that looks at a person (holdout, variant, caps,
/// the device policy over a user's devices) still sees all of that person's tokens at once.
///
/// The slices run over the users in id order, then over the anonymous installations in id order; the store answers
/// where each slice ends (``CampaignStore/peopleBoundary(appId:of:after:size:)``), and ``next`` steps to the one after.
public struct PeopleSlice: Sendable, Hashable {
    /// Which people the slice holds.
    public enum People: String, Sendable, Hashable {
        /// Users, by user id (all their installations).
        case users
        /// Installations without a user, by installation id.
        case anonymous
    }

    public var people: People
    /// The slice starts after this id (`""` before every id).
    public var after: String
    /// The slice's last id; `nil` runs to the last person of its kind.
    public var through: String?

    public init(people: People, after: String = "", through: String? = nil) {
        self.people = people
        self.after = after
        self.through = through
    }

    /// Where resolution starts: the users, from the first.
    public static let first = PeopleSlice(people: .users)

    /// The slice after this one: the same people after `through`; the anonymous installations after the last users;
    /// `nil` after the last anonymous installation.
    public var next: PeopleSlice? {
        if let through { return PeopleSlice(people: people, after: through) }
        return people == .users ? PeopleSlice(people: .anonymous) : nil
    }
}
