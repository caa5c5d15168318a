import Foundation

/// Base64url without padding (RFC 4648 §5), as Web Push and JWTs use it.
public enum Base64URL {
    public static func encode<D: DataProtocol>(_ bytes: D) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url, with or without padding; also accepts standard base64,
    /// since browsers and libraries differ in what they hand over.
    public static func decode(_ text: some StringProtocol) -> Data? {
        var base = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base = base.replacingOccurrences(of: "=", with: "")
        guard base.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "+" || $0 == "/") }) else {
            return nil
        }
        if base.count % 4 == 1 { return nil }
        base += String(repeating: "=", count: (4 - base.count % 4) % 4)
        return Data(base64Encoded: base)
    }
}
