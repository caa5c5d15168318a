import Crypto
import Foundation

/// Deterministic assignment of a person to a holdout or a variant: the same campaign and
/// person always land in the same place, so reruns and restarts agree. Known users are
/// assigned by user id (all their devices together); anonymous installations by installation id.
public enum Assignment {
    /// A number in [0, 1) fixed by campaign and person.
    public static func unit(campaignId: String, salt: String, person: String) -> Double {
        let digest = SHA256.hash(data: Data("\(campaignId)\u{0}\(salt)\u{0}\(person)".utf8))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(value >> 11) / Double(UInt64(1) << 53)
    }

    /// Whether the person is held out (gets nothing, measured for lift).
    public static func isHeldOut(campaignId: String, person: String, holdoutPercent: Double) -> Bool {
        guard holdoutPercent > 0 else { return false }
        return unit(campaignId: campaignId, salt: "holdout", person: person) * 100 < holdoutPercent
    }

    /// The variant index by weights (weights need not sum to 1).
    public static func variant(campaignId: String, person: String, weights: [Double]) -> Int {
        let total = weights.reduce(0) { $0 + max(0, $1) }
        guard weights.count > 1, total > 0 else { return 0 }
        var point = unit(campaignId: campaignId, salt: "variant", person: person) * total
        for (index, weight) in weights.enumerated() {
            point -= max(0, weight)
            if point < 0 { return index }
        }
        return weights.count - 1
    }
}
