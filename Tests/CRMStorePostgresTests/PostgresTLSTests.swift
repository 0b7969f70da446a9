import CRMStore
import CRMStorePostgres
import CRMTesting
import Foundation
import Testing

/// TLS to the database when the address asks for it (`sslmode=require`), with the server's certificate checked
/// against the system's roots or the file `sslrootcert` names.
@Suite("PostgreSQL over TLS", .serialized)
struct PostgresTLSTests {
    @Test func requiredTLSConnectsWhenTheServersCertificateIsTrustedAndIsRefusedOtherwise() async throws {
        let cluster = try await PostgresServer.start(tls: true)
        defer { cluster.stop() }
        let url = try await cluster.database()
        let name = String(url.split(separator: "/").last!)
        let root = try #require(cluster.certificate)

        var trusted = try PostgresConfiguration(url: url + "?sslmode=require&sslrootcert=" + root)
        trusted.leaseTimeout = .seconds(60)
        let store = try await PostgresStore.open(trusted)
        defer { store.close() }
        #expect(try await store.users().isEmpty)
        let encrypted = try cluster.psql(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = '\(name)' AND s.ssl")
        #expect((Int(encrypted.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "\(encrypted)")

        // A self-signed certificate the system does not trust is refused when the mode verifies it.
        var untrusted = try PostgresConfiguration(url: url + "?sslmode=verify-ca")
        untrusted.leaseTimeout = .seconds(3)
        await #expect(throws: (any Error).self) { _ = try await PostgresStore.open(untrusted) }
    }

    @Test func requiredTLSIsRefusedByAServerWithout() async throws {
        let cluster = try await PostgresServer.shared()
        let url = try await cluster.database()
        defer { cluster.drop(url) }
        var config = try PostgresConfiguration(url: url + "?sslmode=require")
        config.leaseTimeout = .seconds(3)
        await #expect(throws: (any Error).self) { _ = try await PostgresStore.open(config) }
    }
}
