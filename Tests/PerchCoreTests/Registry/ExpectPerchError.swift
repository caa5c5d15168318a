import Testing
@testable import PerchCore

/// Expects `body` to throw a ``PerchError`` naming `field` (and with `code`, when given).
func expectPerchError(field: String? = nil, code: PerchError.Code? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) {
    let error = #expect(throws: PerchError.self, sourceLocation: sourceLocation) { try body() }
    if let field { #expect(error?.field == field, sourceLocation: sourceLocation) }
    if let code { #expect(error?.code == code, sourceLocation: sourceLocation) }
}
