import Foundation

/// Splits filter text into tokens, each with its offset for error messages.
struct FilterLexer {
    enum Kind: Equatable {
        case identifier(String)        // platform, user.plan, and, or, within …
        case string(String)
        case number(Double)
        case duration(Duration, String) // 30d, 12h, 15m, 45s, 2w
        case symbol(String)            // == != < <= > >= ( ) [ ] ,
        case end
    }
    struct Token: Equatable {
        var kind: Kind
        var position: Int
    }

    /// The longest window a filter names: 100 years, far past any stored time, and `now - window` stays a date.
    static let maximumDurationSeconds: Int64 = 36_500 * 86_400
    /// The largest number literal: every whole number up to it is exact in a `Double`, so comparisons mean what they say.
    static let maximumNumber = 1e15

    static func tokens(_ text: String) throws(FilterSyntaxError) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c.isASCII && (c.properties.isAlphabetic || c == "_") }
        func isIdentifierPart(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) || c == "." }
        while index < scalars.count {
            let c = scalars[index]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1; continue }
            let start = index
            if isIdentifierStart(c) {
                while index < scalars.count, isIdentifierPart(scalars[index]) { index += 1 }
                tokens.append(Token(kind: .identifier(String(String.UnicodeScalarView(scalars[start..<index]))), position: start))
            } else if c == "\"" {
                index += 1
                var value = String.UnicodeScalarView()
                var closed = false
                while index < scalars.count {
                    let d = scalars[index]
                    if d == "\\", index + 1 < scalars.count {
                        value.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    if d == "\"" { closed = true; index += 1; break }
                    value.append(d)
                    index += 1
                }
                guard closed else { throw FilterSyntaxError(position: start, message: "unterminated string") }
                tokens.append(Token(kind: .string(String(value)), position: start))
            } else if ("0"..."9").contains(c) || (c == "-" && index + 1 < scalars.count && ("0"..."9").contains(scalars[index + 1])) {
                index += 1
                while index < scalars.count, ("0"..."9").contains(scalars[index]) || scalars[index] == "." { index += 1 }
                let number = String(String.UnicodeScalarView(scalars[start..<index]))
                if index < scalars.count, "smhdw".unicodeScalars.contains(scalars[index]),
                   index + 1 >= scalars.count || !isIdentifierPart(scalars[index + 1]) {
                    let unit = scalars[index]
                    index += 1
                    guard let amount = Int64(number), amount > 0 else {
                        throw FilterSyntaxError(position: start, message: "a duration is a positive whole number with s, m, h, d or w")
                    }
                    let seconds: Int64 = switch unit {
                    case "s": 1
                    case "m": 60
                    case "h": 3600
                    case "d": 86_400
                    default: 604_800
                    }
                    // The amount is the filter author's: multiplied unchecked, `99999999999999w` would trap the server.
                    let (total, overflow) = amount.multipliedReportingOverflow(by: seconds)
                    guard !overflow, total <= Self.maximumDurationSeconds else {
                        throw FilterSyntaxError(position: start, message: "a duration is at most 36500d (100 years)")
                    }
                    tokens.append(Token(kind: .duration(.seconds(total), number + String(unit)), position: start))
                } else {
                    guard let value = Double(number), value.isFinite, abs(value) <= Self.maximumNumber else {
                        throw FilterSyntaxError(position: start, message: "malformed number \(number) (numbers are at most 1e15)")
                    }
                    tokens.append(Token(kind: .number(value), position: start))
                }
            } else {
                let two = index + 1 < scalars.count ? String(String.UnicodeScalarView([c, scalars[index + 1]])) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    tokens.append(Token(kind: .symbol(two), position: start))
                    index += 2
                } else if "<>()[],".unicodeScalars.contains(c) {
                    tokens.append(Token(kind: .symbol(String(c)), position: start))
                    index += 1
                } else if c == "=" {
                    throw FilterSyntaxError(position: start, message: "use == to compare")
                } else {
                    throw FilterSyntaxError(position: start, message: "unexpected character \"\(c)\"")
                }
            }
        }
        tokens.append(Token(kind: .end, position: scalars.count))
        return tokens
    }
}
