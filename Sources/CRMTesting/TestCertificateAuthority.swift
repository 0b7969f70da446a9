import Foundation

/// A certificate authority made for one test with the openssl CLI, and a server certificate it signed for
/// 127.0.0.1 and localhost: what a company with its own CA gives its CRM server. PEM files in a temporary folder.
public struct TestCertificateAuthority: Sendable {
    /// The CA's certificate: what a client trusts.
    public let caFile: String
    /// The server's certificate, signed by the CA.
    public let certificateFile: String
    /// The server's private key.
    public let keyFile: String
    /// A second, unrelated self-signed certificate: a CA the server's certificate does not chain to.
    public let strangerFile: String

    /// Makes the files in `directory` (2048-bit RSA, valid two days).
    public init(in directory: TemporaryDirectory) throws {
        caFile = directory.path("ca.crt")
        certificateFile = directory.path("server.crt")
        keyFile = directory.path("server.key")
        strangerFile = directory.path("stranger.crt")
        let extensions = directory.path("server.ext")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=CRM Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", directory.path("ca.key"), "-out", caFile],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", keyFile,
                "-out", directory.path("server.csr")],
            ["x509", "-req", "-in", directory.path("server.csr"), "-CA", caFile, "-CAkey", directory.path("ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", certificateFile],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Stranger CA",
                "-keyout", directory.path("stranger.key"), "-out", strangerFile],
        ]
        for step in steps {
            let run = try ProcessRunner.run("/usr/bin/openssl", step)
            guard run.status == 0 else { throw Failure(description: "openssl \(step[0]) failed: \(run.error)") }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
