import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throw-away certificate authority made at start, and the one server certificate it signs for
/// every listener (SAN `127.0.0.1`, `::1`, `localhost`). Clients trust the CA's PEM.
struct SimulatorCertificateAuthority: Sendable {
    /// The CA certificate, PEM.
    let caCertificatePEM: String
    /// The server certificate, PEM.
    let serverCertificatePEM: String
    /// The server key, PKCS#8 PEM.
    let serverPrivateKeyPEM: String

    init(now: Date = Date()) throws {
        let caKey = P256.Signing.PrivateKey()
        let caKeyIdentifier = SubjectKeyIdentifier(hash: .init(caKey.publicKey))
        let caName = try DistinguishedName {
            OrganizationName("Perch")
            CommonName("Perch Push Simulator CA")
        }
        let notBefore = now.addingTimeInterval(-3600)
        let notAfter = now.addingTimeInterval(30 * 24 * 3600)
        let caCertificate = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(caKey.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                caKeyIdentifier
            },
            issuerPrivateKey: .init(caKey))

        let serverKey = P256.Signing.PrivateKey()
        let serverName = try DistinguishedName {
            OrganizationName("Perch")
            CommonName("localhost")
        }
        let serverCertificate = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(serverKey.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: serverName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                ])
                AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier.keyIdentifier)
            },
            issuerPrivateKey: .init(caKey))

        self.caCertificatePEM = try caCertificate.serializeAsPEM().pemString
        self.serverCertificatePEM = try serverCertificate.serializeAsPEM().pemString
        self.serverPrivateKeyPEM = serverKey.pemRepresentation
    }

    /// The server side TLS configuration: the server certificate and its CA, ALPN `h2` then `http/1.1`.
    func makeServerTLSConfiguration() throws -> TLSConfiguration {
        let chain = try [serverCertificatePEM, caCertificatePEM].map {
            try NIOSSLCertificate(bytes: Array($0.utf8), format: .pem)
        }
        let key = try NIOSSLPrivateKey(bytes: Array(serverPrivateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["h2", "http/1.1"]
        return configuration
    }
}
