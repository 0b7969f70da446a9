extension PostgresSchema {
    /// `device_fetched`: the records each device holds by hand (`crm-desktop fetch`), which its begin adds to
    /// the session's resolved filter, so the scope keeps them until a drop.
    static let fetched = Migration(
        name: "v5-device-fetched",
        statements: [
            """
            CREATE TABLE device_fetched (
                device TEXT COLLATE "C" NOT NULL,
                record_id TEXT COLLATE "C" NOT NULL,
                type TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (device, record_id)
            )
            """
        ])
}
