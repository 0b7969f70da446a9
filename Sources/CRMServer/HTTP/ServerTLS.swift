import Foundation
import HummingbirdTLS
import NIOSSL

/// The certificate and key `crm-server serve --tls-cert FILE --tls-key FILE` answers HTTPS with: PEM files, the
/// certificate file holding the server's certificate first and any intermediate certificates after it.
public struct ServerTLS: Sendable, Equatable {
    /// The PEM file of the certificate chain.
    public var certificateFile: String
    /// The PEM file of the private key (unencrypted).
    public var keyFile: String

    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// The server's TLS configuration (TLS 1.2 and later), read from the files now, so a missing or unreadable
    /// file stops `serve` at once naming the file instead of failing every handshake.
    public func configuration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw ServerTLSError(file: certificateFile, option: "--tls-cert", reason: Self.reason(error, certificateFile))
        }
        guard !chain.isEmpty else {
            throw ServerTLSError(file: certificateFile, option: "--tls-cert", reason: "it holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ServerTLSError(file: keyFile, option: "--tls-key", reason: Self.reason(error, keyFile))
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // A key that does not belong to the certificate fails here rather than at the first handshake.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerTLSError(
                file: keyFile, option: "--tls-key", reason: "it does not fit the certificate in \(certificateFile)")
        }
        return configuration
    }

    private static func reason(_ error: any Error, _ file: String) -> String {
        FileManager.default.isReadableFile(atPath: file) ? "it is not PEM (\(error))" : "it cannot be read"
    }
}

/// A certificate or key file `serve` cannot use.
public struct ServerTLSError: Error, CustomStringConvertible {
    public var file: String
    public var option: String
    public var reason: String

    public var description: String { "\(option) \(file): \(reason)" }
}
