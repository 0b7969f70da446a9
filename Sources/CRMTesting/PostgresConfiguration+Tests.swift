import CRMStorePostgres

extension PostgresConfiguration {
    /// The configuration tests open stores with: a small pool (dozens of test servers share one cluster, whose
    /// connections are limited), and a long wait for a connection (on a shared, loaded machine one may take long
    /// to come, and a test must not fail as "unavailable" for it; the store's own default is 5 s).
    public static func test(_ url: String) throws -> PostgresConfiguration {
        var configuration = try PostgresConfiguration(url: url, maxConnections: 4)
        configuration.leaseTimeout = .seconds(60)
        return configuration
    }
}
