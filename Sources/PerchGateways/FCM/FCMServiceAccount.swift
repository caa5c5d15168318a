import Foundation
import _CryptoExtras

/// The fields of a Google service account key file that FCM needs, with its RSA key parsed.
public struct FCMServiceAccount: Sendable {
    /// The Firebase project.
    public let projectId: String
    /// The account's e-mail: the assertion's `iss`.
    public let clientEmail: String
    /// The OAuth token endpoint: the assertion's `aud`, where it is exchanged.
    public let tokenURI: String
    /// The key's id, sent as the assertion's `kid`.
    public let privateKeyId: String?
    let privateKey: _RSA.Signing.PrivateKey

    private struct File: Decodable {
        var project_id: String?
        var client_email: String?
        var token_uri: String?
        var private_key_id: String?
        var private_key: String?
    }

    /// Parses a service account JSON.
    public init(json: String) throws(GatewayConfigurationError) {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: Data(json.utf8)) } catch { throw .invalidServiceAccount("not JSON") }
        guard let projectId = file.project_id, !projectId.isEmpty else { throw .invalidServiceAccount("project_id") }
        guard let clientEmail = file.client_email, !clientEmail.isEmpty else { throw .invalidServiceAccount("client_email") }
        guard let pem = file.private_key else { throw .invalidServiceAccount("private_key") }
        let tokenURI = file.token_uri ?? "https://oauth2.googleapis.com/token"
        guard tokenURI.lowercased().hasPrefix("https://") else { throw .invalidEndpoint("token_uri") }
        guard projectId.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" || $0 == "." }) else {
            throw .invalidServiceAccount("project_id")
        }
        do { self.privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw .invalidPrivateKey("serviceAccount.private_key")
        }
        self.projectId = projectId
        self.clientEmail = clientEmail
        self.tokenURI = tokenURI
        self.privateKeyId = file.private_key_id
    }

    /// The OAuth scope FCM sends need.
    public static let scope = "https://www.googleapis.com/auth/firebase.messaging"

    /// The RS256 JWT assertion for the token exchange: `{iss, scope, aud: token_uri, iat, exp: iat + 3600}`.
    public func assertion(issuedAt: Date) throws -> String {
        var header = "{\"alg\":\"RS256\",\"typ\":\"JWT\""
        if let privateKeyId { header += ",\"kid\":\(JSONWebToken.quoted(privateKeyId))" }
        header += "}"
        let iat = Int(issuedAt.timeIntervalSince1970)
        let claims = "{\"iss\":\(JSONWebToken.quoted(clientEmail)),\"scope\":\(JSONWebToken.quoted(Self.scope)),"
            + "\"aud\":\(JSONWebToken.quoted(tokenURI)),\"iat\":\(iat),\"exp\":\(iat + 3600)}"
        return try JSONWebToken.rs256(header: header, claims: claims, key: privateKey)
    }
}
