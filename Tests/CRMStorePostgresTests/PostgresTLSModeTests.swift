import CRMStore
import CRMStorePostgres
import CRMTesting
import Foundation
import Testing

/// `sslmode` read as libpq reads it, on clusters with a self-signed certificate:
/// require and prefer encrypt, verify-ca checks the signer, verify-full also the host name.
@Suite("PostgreSQL sslmode", .serialized)
struct PostgresTLSModeTests {
    /// Opens the store at `url`, or returns the error it failed with.
    static func open(_ url: String) async -> Result<PostgresStore, any Error> {
        do {
            var configuration = try PostgresConfiguration(url: url)
            configuration.leaseTimeout = .seconds(20)
            return .success(try await PostgresStore.open(configuration))
        } catch {
            return .failure(error)
        }
    }

    /// How many of the database's sessions are encrypted.
    static func encryptedSessions(_ cluster: PostgresServer, _ url: String) throws -> Int {
        let name = String(url.split(separator: "/").last!)
        let count = try cluster.psql(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = '\(name)' AND s.ssl")
        return Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    @Test func requireAndPreferEncryptWithoutARootCertificateAndVerifyModesCheckTheCertificate() async throws {
        let cluster = try await PostgresServer.start(tls: true)
        defer { cluster.stop() }
        let root = try #require(cluster.certificate)

        let required = try await cluster.database()
        let store = try await Self.open(required + "?sslmode=require").get()
        #expect(try await store.users().isEmpty)
        #expect(try Self.encryptedSessions(cluster, required) > 0)
        store.close()

        let preferred = try await cluster.database()
        let preferring = try await Self.open(preferred + "?sslmode=prefer").get()
        #expect(try await preferring.users().isEmpty)
        #expect(try Self.encryptedSessions(cluster, preferred) > 0)
        preferring.close()

        let verified = try await cluster.database()
        if case .success = await Self.open(verified + "?sslmode=verify-ca") {
            Issue.record("verify-ca took a certificate no trusted authority signed")
        }
        if case .success = await Self.open(verified + "?sslmode=verify-full") {
            Issue.record("verify-full took a certificate no trusted authority signed")
        }
        let full = try await Self.open(verified + "?sslmode=verify-full&sslrootcert=" + root).get()
        #expect(try Self.encryptedSessions(cluster, verified) > 0)
        full.close()
    }

    @Test func verifyFullChecksTheHostNameWhereVerifyCADoesNot() async throws {
        // A certificate signed right that names another host than the one the address names.
        let cluster = try await PostgresServer.start(tls: true, certificateName: "DNS:elsewhere.example")
        defer { cluster.stop() }
        let root = try #require(cluster.certificate)
        let url = try await cluster.database()
        try await Self.open(url + "?sslmode=verify-ca&sslrootcert=" + root).get().close()
        if case .success(let store) = await Self.open(url + "?sslmode=verify-full&sslrootcert=" + root) {
            store.close()
            Issue.record("verify-full took a certificate that does not name the host")
        }
    }

    @Test func preferConnectsInPlainToAServerWithoutTLS() async throws {
        let cluster = try await PostgresServer.shared()
        let url = try await cluster.database()
        defer { cluster.drop(url) }
        let store = try await Self.open(url + "?sslmode=prefer").get()
        #expect(try await store.users().isEmpty)
        store.close()
    }
}
