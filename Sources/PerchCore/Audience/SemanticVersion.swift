/// An app version compared the way people mean it: `1.10.0 > 1.9.2`, `2.0 == 2.0.0`,
/// `3.0.0-beta.2 < 3.0.0`. Build metadata (`+123`) is ignored, as SemVer says.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var numbers: [Int]
    public var prerelease: [String]

    /// Parses `MAJOR[.MINOR[.PATCH[.…]]][-prerelease][+build]`; `nil` when it is not a version.
    public init?(_ text: String) {
        var core = Substring(text)
        if let plus = core.firstIndex(of: "+") { core = core[..<plus] }
        var pre: [String] = []
        if let dash = core.firstIndex(of: "-") {
            pre = core[core.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            core = core[..<dash]
            if pre.contains(where: \.isEmpty) { return nil }
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 6 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, part.allSatisfy(\.isASCII), let value = Int(part), value >= 0 else { return nil }
            numbers.append(value)
        }
        while numbers.count > 1, numbers.last == 0 { numbers.removeLast() }
        self.numbers = numbers
        self.prerelease = pre
    }

    public var description: String {
        numbers.map(String.init).joined(separator: ".") + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        for index in 0..<max(lhs.numbers.count, rhs.numbers.count) {
            let a = index < lhs.numbers.count ? lhs.numbers[index] : 0
            let b = index < rhs.numbers.count ? rhs.numbers[index] : 0
            if a != b { return a < b }
        }
        // A pre-release sorts before its release.
        if lhs.prerelease.isEmpty != rhs.prerelease.isEmpty { return !lhs.prerelease.isEmpty }
        for (a, b) in zip(lhs.prerelease, rhs.prerelease) where a != b {
            switch (Int(a), Int(b)) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a < b
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    /// A sortable text form: each number zero-padded to 9 digits, so plain string order is version
    /// order. Pre-releases append `-` (sorting before the release's `~`).
    public var sortKey: String {
        var padded = numbers
        while padded.count < 6 { padded.append(0) }
        let core = padded.map { String(repeating: "0", count: 9 - String($0).count) + String($0) }.joined(separator: ".")
        return prerelease.isEmpty ? core + "~" : core + "-" + prerelease.map { part in
            Int(part).map { String(repeating: "0", count: max(0, 9 - String($0).count)) + String($0) } ?? "~" + part
        }.joined(separator: ".")
    }
}
