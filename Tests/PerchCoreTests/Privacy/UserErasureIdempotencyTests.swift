import Foundation
import Testing
@testable import PerchCore

/// Which stored `Idempotency-Key` answers an erasure deletes: those that name the person as a JSON string.
@Suite("Erasure of stored idempotency answers")
struct UserErasureIdempotencyTests {
    @Test func theMarksAreThePersonsIdsAndTokensQuotedAsJSONWritesThem() {
        let erasure = UserErasure(userId: "ada", installationIds: ["ada-phone"])
        let marks = erasure.idempotencyAnswerMarks(tokenIds: ["tok_1"], tokens: ["feedbeef", "https://push.example/s/1", ""])
        #expect(Set(marks) == ["\"ada\"", "\"ada-phone\"", "\"tok_1\"", "\"feedbeef\"", "\"https://push.example/s/1\"",
                               "\"https:\\/\\/push.example\\/s\\/1\""])
        let answer = #"{"results":[{"installationId":"ada-phone","outcome":"accepted","tokenId":"tok_1"}],"sendId":"snd_1"}"#
        #expect(marks.contains { answer.contains($0) })
        #expect(!marks.contains { #"{"results":[{"installationId":"adam-phone"}]}"#.contains($0) }, "a longer id is another person")
    }
}
