import CRMStorePostgres
import Testing

/// The database address is read from `postgres://USER@HOST:PORT/DATABASE`, and a password in it is refused.
@Suite struct PostgresConfigurationTests {
    @Test func addressGivesHostPortUserDatabaseAndTLS() throws {
        let config = try PostgresConfiguration(url: "postgres://crm@db.example:6543/crm_prod?sslmode=require", password: "s")
        #expect(config == PostgresConfiguration(
            host: "db.example", port: 6543, user: "crm", database: "crm_prod", password: "s", tls: .require))
        #expect(config.description == "postgres://crm@db.example:6543/crm_prod")
        #expect(try PostgresConfiguration(url: "postgresql://crm@localhost/crm").port == 5432)
    }

    @Test(arguments: [
        ("postgres://crm:secret@localhost/crm", "password"), ("mysql://crm@localhost/crm", "is not a postgres"),
        ("postgres://localhost/crm", "names no user"), ("postgres://crm@localhost", "names no database"),
        ("postgres://crm@localhost/crm?sslmode=sometimes", "sslmode 'sometimes'"),
        ("postgres://crm@localhost/crm?pool=3", "unknown option 'pool'"),
    ])
    func badAddressIsRefusedSayingWhy(_ address: String, _ message: String) {
        #expect {
            try PostgresConfiguration(url: address)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
