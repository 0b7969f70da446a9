import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The desktop's HTTP clients for the life of the process. Unlike `HTTPClient.shared`, they do not retry a
/// refused connection until the request's deadline: an offline desktop says so in a moment.
enum DesktopHTTP {
    static let client: HTTPClient = make(trusting: nil)

    /// One client per CA file, made on first use and kept (a process talks to one server).
    private static let trusting = Mutex<[String: HTTPClient]>([:])

    /// The client for a server whose certificate is signed by the certificate authority in `caFile` (a PEM file;
    /// the system's authorities stay trusted too); the plain client when nil. A file that cannot be read as PEM
    /// certificates is refused here, naming `--ca-file`, instead of failing every handshake later.
    static func client(trusting caFile: String?) throws -> HTTPClient {
        guard let caFile else { return client }
        if let made = trusting.withLock({ $0[caFile] }) { return made }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(caFile)
        } catch {
            throw DesktopError(
                .invalidInput, "the certificate authority file \(caFile) cannot be read as PEM certificates",
                field: "--ca-file")
        }
        guard !certificates.isEmpty else {
            throw DesktopError(.invalidInput, "the file \(caFile) holds no PEM certificate", field: "--ca-file")
        }
        return trusting.withLock { clients in
            if let made = clients[caFile] { return made }
            let made = make(trusting: certificates)
            clients[caFile] = made
            return made
        }
    }

    private static func make(trusting roots: [NIOSSLCertificate]?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        if let roots {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.certificates(roots)]
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }
}
