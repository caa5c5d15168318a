import Foundation
import PerchCore

extension Data {
    /// The unpadded base64url text of these bytes (RFC 4648 §5), as JWTs and Web Push keys use.
    var base64URLEncodedString: String { Base64URL.encode(self) }

    /// Decodes base64url with or without padding (plain base64 is accepted too).
    init?(base64URLEncoded text: String) {
        guard let data = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        self = data
    }
}
