import Foundation

/// Test-side base64url, independent of the gateway's own so a codec bug cannot make a test agree with itself.
extension Data {
    init(b64url text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        self = Data(base64Encoded: base64)!
    }

    var b64url: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
