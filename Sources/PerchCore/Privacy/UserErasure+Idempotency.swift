import Foundation

extension UserErasure {
    /// What marks a stored `Idempotency-Key` answer as the person's: their user id, an installation id, a token id or
    /// a token (an answer of `/v1/send`, `/v1/campaigns` or `/api/push` names them as JSON strings). Erasure deletes
    /// every stored answer of the app that contains one of these, quoted as JSON writes them, so nothing the person
    /// was named in survives in a replay; a retry of such a request after the erasure is handled as a new one.
    /// - Parameters:
    ///   - tokenIds: the ids of the tokens the person's installations hold.
    ///   - tokens: those tokens' identities (APNs hex, FCM token, Web Push endpoint), decrypted.
    public func idempotencyAnswerMarks(tokenIds: some Sequence<String>, tokens: some Sequence<String>) -> [String] {
        var values = Set([userId]).union(installationIds).union(tokenIds).union(tokens)
        values.remove("")
        var marks: Set<String> = []
        for value in values {
            let quoted = JSONValue.string(value).jsonText
            marks.insert(quoted)
            // Another encoder may escape slashes (a Web Push endpoint).
            marks.insert(quoted.replacingOccurrences(of: "/", with: "\\/"))
        }
        return marks.sorted()
    }
}
