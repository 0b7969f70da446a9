import CRMStore

/// Everything the server keeps, on PostgreSQL: the same `ServerStore` as `SQLiteStore`, so `crm-server` can run
/// on either.
extension PostgresStore: ServerStore {}
