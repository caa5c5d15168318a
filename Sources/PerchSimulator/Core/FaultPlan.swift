import Foundation
import PerchCore

/// Faults applied at random rates, per request, with a seeded generator so a run is repeatable.
///
/// Parsed from the `--faults` spec, e.g. `apns:429@0.05,fcm:503@0.01,webpush:reset@0.01,apns:stall@0.001,apns:invalid@0.02`;
/// the grammar is in `Sources/PerchSimulator/README.md`.
public struct FaultPlan: Sendable, Hashable, CustomStringConvertible {
    /// What a rule does to a request it hits.
    public enum Effect: Sendable, Hashable {
        /// Answer with the fault instead of the real answer.
        case fault(Fault)
        /// Mark the request's token invalid from now on (APNs 410, FCM 404 UNREGISTERED, Web Push 410).
        case invalidToken
    }

    /// One `platform:fault@rate` item.
    public struct Rule: Sendable, Hashable {
        /// The platform it applies to; `nil` for every platform (`*`).
        public var platform: Platform?
        /// What happens to a request it hits.
        public var effect: Effect
        /// The probability, in 0...1, that a request is hit.
        public var rate: Double

        public init(platform: Platform?, effect: Effect, rate: Double) {
            self.platform = platform
            self.effect = effect
            self.rate = rate
        }
    }

    /// Rules in spec order; for each request the first rule that hits wins.
    public var rules: [Rule]
    /// Seed of the per-simulator random generator.
    public var seed: UInt64

    /// The default seed when the spec names none.
    public static let defaultSeed: UInt64 = 0x5EED

    /// No faults.
    public static let none = FaultPlan(rules: [], seed: defaultSeed)

    public init(rules: [Rule], seed: UInt64 = FaultPlan.defaultSeed) {
        self.rules = rules
        self.seed = seed
    }

    /// Parses a spec such as `apns:429@0.05,fcm:503=5@0.01,*:reset@1%,seed=42`.
    /// - Throws: ``FaultPlanParseError`` naming the offending item.
    public init(parsing spec: String) throws(FaultPlanParseError) {
        var rules: [Rule] = []
        var seed = FaultPlan.defaultSeed
        for rawItem in spec.split(separator: ",") {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            if item.hasPrefix("seed=") {
                guard let value = UInt64(item.dropFirst(5)) else { throw .init(item: item, problem: "seed is not an unsigned integer") }
                seed = value
                continue
            }
            rules.append(try Self.parseRule(item))
        }
        self.init(rules: rules, seed: seed)
    }

    private static func parseRule(_ item: String) throws(FaultPlanParseError) -> Rule {
        guard let colon = item.firstIndex(of: ":") else {
            throw .init(item: item, problem: "expected platform:fault@rate")
        }
        guard let at = item.lastIndex(of: "@"), at > colon else {
            throw .init(item: item, problem: "expected @rate after the fault")
        }
        let platformText = item[..<colon].lowercased()
        let platform: Platform?
        if platformText == "*" || platformText == "all" {
            platform = nil
        } else if let named = Platform(rawValue: platformText) {
            platform = named
        } else {
            throw .init(item: item, problem: "unknown platform (apns, fcm, webpush or *)")
        }
        let effect = try parseEffect(String(item[item.index(after: colon)..<at]), item: item)
        let rate = try parseRate(String(item[item.index(after: at)...]), item: item)
        return Rule(platform: platform, effect: effect, rate: rate)
    }

    /// `NNN[=retryAfter]`, `reset`, `stall` or `invalid`.
    static func parseEffect(_ text: String, item: String) throws(FaultPlanParseError) -> Effect {
        switch text.lowercased() {
        case "reset": return .fault(.reset)
        case "stall": return .fault(.stall)
        case "invalid": return .invalidToken
        default: break
        }
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let status = Int(parts[0]), (400...599).contains(status) else {
            throw .init(item: item, problem: "fault must be a 4xx/5xx status, reset, stall or invalid")
        }
        var retryAfter: Int? = status == 429 ? 1 : nil
        if parts.count == 2 {
            guard let seconds = Int(parts[1]), seconds >= 0 else {
                throw .init(item: item, problem: "Retry-After must be a non-negative number of seconds")
            }
            retryAfter = seconds
        }
        return .fault(.status(status, reason: nil, retryAfter: retryAfter))
    }

    /// `0.05` or `5%`, within 0...1.
    static func parseRate(_ text: String, item: String) throws(FaultPlanParseError) -> Double {
        let rate: Double?
        if text.hasSuffix("%") {
            rate = Double(text.dropLast()).map { $0 / 100 }
        } else {
            rate = Double(text)
        }
        guard let rate, rate.isFinite, (0...1).contains(rate) else {
            throw .init(item: item, problem: "rate must be a number in 0...1 (or a percentage)")
        }
        return rate
    }

    /// The plan written back in the spec grammar.
    public var description: String {
        var items = rules.map { rule -> String in
            let effect: String
            switch rule.effect {
            case .invalidToken: effect = "invalid"
            case .fault(.reset): effect = "reset"
            case .fault(.stall): effect = "stall"
            case .fault(.status(let status, _, let retryAfter)):
                effect = retryAfter.map { "\(status)=\($0)" } ?? "\(status)"
            }
            return "\(rule.platform?.rawValue ?? "*"):\(effect)@\(rule.rate)"
        }
        items.append("seed=\(seed)")
        return items.joined(separator: ",")
    }
}
