import Foundation

/// How long a rotated key or identity secret keeps working after its successor is issued, so every client and
/// backend can switch over without a failed request.
public enum RotationGrace {
    /// A day: long enough to redeploy a backend and let apps pick up a new publishable key.
    public static let defaultSeconds = 86_400
    /// Thirty days; an old secret that must outlive that should not be rotated yet.
    public static let maximumSeconds = 30 * 86_400

    /// `graceSeconds` from a rotation body: absent means the default; otherwise whole seconds in `0...maximumSeconds`
    /// (0 ends the old key at once, for a leaked one).
    public static func seconds(_ value: Double?) throws(PerchError) -> Int {
        guard let value else { return defaultSeconds }
        guard value.isFinite, value.rounded() == value, value >= 0, value <= Double(maximumSeconds) else {
            throw .invalid("graceSeconds", "graceSeconds must be whole seconds from 0 to \(maximumSeconds) (30 days)")
        }
        return Int(value)
    }
}
