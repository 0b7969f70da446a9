import AsyncHTTPClient
import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import HummingbirdTesting
import NIOCore
import NIOSSL
import Testing

/// `crm-server serve --tls-cert --tls-key` answers HTTPS with the given certificate, and a desktop set up with
/// `--ca-file` (the company's certificate authority) signs in and syncs over it; clients that do not trust the
/// authority, and plain HTTP, get nothing.
@Suite struct HTTPSTests {
    static func server(_ authority: TestCertificateAuthority) async throws -> TestServer {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.tls = ServerTLS(certificateFile: authority.certificateFile, keyFile: authority.keyFile)
        return try await TestServer.make(configuration: configuration)
    }

    @Test func aClientTrustingTheAuthorityTalksHTTPSAndOthersAreRefused() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-https")
        defer { directory.remove() }
        let authority = try TestCertificateAuthority(in: directory)
        try await Self.server(authority).run(testing: .ahc(.https)) { api in
            let port = try #require(api.client.port)
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(authority.caFile)
            let trusting = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            var stranger = TLSConfiguration.makeClientConfiguration()
            stranger.trustRoots = .file(authority.strangerFile)
            let untrusting = HTTPClient(
                eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: stranger))
            let plain = HTTPClient(eventLoopGroupProvider: .singleton)
            // Shut down on every path: a client left running traps when it goes away.
            do {
                try await Self.exchanges(port: port, authority: authority, trusting, untrusting, plain)
            } catch {
                for client in [trusting, untrusting, plain] { try? await client.shutdown() }
                throw error
            }
            for client in [trusting, untrusting, plain] { try await client.shutdown() }
        }
    }

    static func exchanges(
        port: Int, authority: TestCertificateAuthority, _ trusting: HTTPClient, _ untrusting: HTTPClient,
        _ plain: HTTPClient
    ) async throws {
        for host in ["127.0.0.1", "localhost"] {
            let health = try await trusting.execute(
                HTTPClientRequest(url: "https://\(host):\(port)/healthz"), timeout: .seconds(60))
            #expect(health.status == .ok)
            let body = try await health.body.collect(upTo: 1 << 16)
            #expect(String(buffer: body).contains("ok"))
        }
        var login = HTTPClientRequest(url: "https://127.0.0.1:\(port)/api/v1/sessions")
        login.method = .POST
        login.headers.add(name: "Content-Type", value: "application/json")
        login.body = .bytes(ByteBuffer(data: try CRMJSON.encoder().encode(
            LoginRequest(username: "rita", password: TestServer.password))))
        let session = try await trusting.execute(login, timeout: .seconds(60))
        #expect(session.status == .created)

        await #expect(throws: (any Error).self) {
            _ = try await untrusting.execute(
                HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"), timeout: .seconds(60))
        }
        // Plain HTTP to the HTTPS port gets no answer the client can read as HTTP.
        let cleartext = try? await plain.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(60))
        #expect(cleartext?.status != .ok)
    }

    @Test func aDesktopSetUpWithTheAuthorityFileSyncsOverHTTPS() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-https")
        defer { directory.remove() }
        let authority = try TestCertificateAuthority(in: directory)
        try await Self.server(authority).run(testing: .ahc(.https)) { api in
            let port = try #require(api.client.port)
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Over TLS"], token: token)
            let server = "https://127.0.0.1:\(port)"
            let home = DesktopHome(path: directory.path("home"))

            // Without the authority the desktop refuses the server's certificate, and says so.
            await #expect(throws: (any Error).self) {
                _ = try await DesktopSetup(home: DesktopHome(path: directory.path("other"))).connect(
                    server: server, user: "rita", password: TestServer.password, deviceName: "laptop",
                    client: ServerClient.desktop(server))
            }
            let (settings, replica) = try await DesktopSetup(home: home).connect(
                server: server, user: "rita", password: TestServer.password, deviceName: "laptop",
                caFile: authority.caFile)
            #expect(settings.caFile == authority.caFile)
            #expect(try home.settings().caFile == authority.caFile)
            // A later command opens the desktop from its settings alone, and syncs.
            let desktop = try Desktop.open(home: home)
            _ = replica
            let receipt = try await desktop.engine().run()
            #expect(receipt.outcome == .success)
            let local = try desktop.replica.localRecord(id: account.id, user: "rita")
            #expect(local?.fields["name"] == "Over TLS")
        }
    }

    @Test func aCertificateOrKeyThatCannotBeUsedStopsTheServerNamingTheFile() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-https")
        defer { directory.remove() }
        let authority = try TestCertificateAuthority(in: directory)
        let missing = ServerTLS(certificateFile: directory.path("nothing.crt"), keyFile: authority.keyFile)
        #expect(throws: ServerTLSError.self) { _ = try missing.configuration() }
        let wrongKey = ServerTLS(certificateFile: authority.strangerFile, keyFile: authority.keyFile)
        let error = try #require(throws: ServerTLSError.self) { _ = try wrongKey.configuration() }
        #expect(error.option == "--tls-key")
        #expect(error.description.contains(authority.keyFile))
        try "not a certificate".write(toFile: directory.path("bad.crt"), atomically: true, encoding: .utf8)
        #expect(throws: DesktopError.self) {
            _ = try ServerClient.desktop("https://127.0.0.1:1", caFile: directory.path("bad.crt"))
        }
    }
}
