import CRMStorePostgres

extension PostgresConfiguration {
    /// The configuration tests open stores with: on a shared, loaded machine a connection may take long to come,
    /// and a test must not fail as "unavailable" for it (the store's own default is 5 s).
    public static func test(_ url: String) throws -> PostgresConfiguration {
        var configuration = try PostgresConfiguration(url: url)
        configuration.leaseTimeout = .seconds(60)
        return configuration
    }
}
