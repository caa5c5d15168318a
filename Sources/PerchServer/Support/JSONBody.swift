import Foundation
import Hummingbird
import NIOCore
import PerchCore

/// Reads a JSON request body under a size limit and decodes it, turning every failure
/// into a 4xx ``PerchError`` that names the field.
public enum JSONBody {
    /// The contract's default limit for a request body.
    public static let defaultLimit = 64 * 1024

    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = defaultLimit) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw PerchError(.bodyTooLarge, "the request body is larger than \(limit) bytes", field: "body")
        }
        if buffer.readableBytes > 0, !JSONContentTypeMiddleware.isJSON(request.headers[.contentType]) {
            throw JSONContentTypeMiddleware.refusal
        }
        return try decode(type, from: buffer)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        guard buffer.readableBytes > 0 else { throw PerchError(.malformedBody, "the request body is empty; send JSON", field: "body") }
        if containsEscapedNUL(buffer.readableBytesView) {
            throw PerchError(.malformedBody, "text in the body may not contain U+0000 (\\u0000)", field: "body")
        }
        do {
            return try JSONCoding.decoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw PerchError(decodingError: error)
        } catch {
            throw PerchError(.malformedBody, "the request body is not valid JSON", field: "body")
        }
    }
}

extension JSONBody {
    /// Whether a string in the JSON text holds `\u0000`. Valid JSON, but no name, message or attribute means it, and
    /// PostgreSQL can store it neither in `text` nor in `jsonb`: refused up front, on every backend alike.
    static func containsEscapedNUL(_ bytes: some Collection<UInt8>) -> Bool {
        var inString = false
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard inString else {
                if byte == UInt8(ascii: "\"") { inString = true }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = false
            case UInt8(ascii: "\\"):
                guard let escaped = iterator.next() else { return false }
                guard escaped == UInt8(ascii: "u") else { continue }
                var zeros = 0
                while zeros < 4, let digit = iterator.next() {
                    guard digit == UInt8(ascii: "0") else {
                        if digit == UInt8(ascii: "\"") { inString = false }
                        break
                    }
                    zeros += 1
                }
                if zeros == 4 { return true }
            default: continue
            }
        }
        return false
    }
}

extension PerchError {
    /// Names the field a `DecodingError` is about, as `a.b[2].c`.
    init(decodingError: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = ""
            for key in codingPath + (last.map { [$0] } ?? []) {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : "." + key.stringValue }
            }
            return text.isEmpty ? "body" : text
        }
        switch decodingError {
        case .typeMismatch(let type, let context):
            self.init(.invalidField, "\(path(context.codingPath)) must be \(Self.jsonTypeName(type))", field: path(context.codingPath))
        case .valueNotFound(let type, let context):
            self.init(.invalidField, "\(path(context.codingPath)) must be \(Self.jsonTypeName(type)), not null", field: path(context.codingPath))
        case .keyNotFound(let key, let context):
            self.init(.missingField, "\(path(context.codingPath, key)) is required", field: path(context.codingPath, key))
        case .dataCorrupted(let context) where context.underlyingError is UnknownValue:
            let requirement = (context.underlyingError as? UnknownValue)?.requirement ?? "is malformed"
            self.init(.invalidField, "\(path(context.codingPath)) \(requirement)", field: path(context.codingPath))
        case .dataCorrupted(let context):
            self.init(context.codingPath.isEmpty ? .malformedBody : .invalidField,
                      context.codingPath.isEmpty ? "the request body is not valid JSON" : "\(path(context.codingPath)) is malformed",
                      field: path(context.codingPath))
        @unknown default:
            self.init(.malformedBody, "the request body is malformed", field: "body")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Double.Type, is Int.Type: "a number"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}
