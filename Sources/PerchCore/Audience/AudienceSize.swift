import Foundation

/// How big an audience is, at both levels Perch keeps apart: installations (each with its current token — a
/// delivery address) and people (a user across all their installations, or one anonymous installation).
/// `POST /v1/segments/preview` answers it for an unsaved filter; the dashboard shows it live as a filter is typed.
public struct AudienceSize: Sendable, Hashable, Codable {
    public var installations: Int
    public var people: Int

    public init(installations: Int, people: Int) {
        self.installations = installations
        self.people = people
    }
}
