import CRMModel
import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// The global keys record writers keep in `record_keys`: the newest package's. When the table was built
    /// for other keys (a new package, or the migration that made it), it is built again first, inside the
    /// writer's transaction and under the counter's lock, so no writer sees it half built.
    func globalKeys(latestVersion: Int?, builtFor: String?, _ writer: PostgresRecordWriter) async throws -> GlobalKeys {
        let keys = try await packageKeys(latestVersion, writer)
        if keys.signature != builtFor { try await Self.rebuildKeys(keys, writer) }
        return keys
    }

    /// The keys of package `version`, read once per version.
    private func packageKeys(_ version: Int?, _ writer: PostgresRecordWriter) async throws -> GlobalKeys {
        guard let version else { return .none }
        if let cached = keyCache.withLock({ $0 }), cached.version == version { return cached.keys }
        guard let json = try await writer.rows("SELECT json FROM packages WHERE version = \(version)").first else {
            return .none
        }
        let keys = GlobalKeys(packageJSON: try json.decode(Data.self))
        keyCache.withLock { $0 = (version, keys) }
        return keys
    }

    /// Fills `record_keys` from the live records for `keys`, and notes the keys it was built for. Records that
    /// met a key before the constraint existed keep it for the oldest of them (by sequence number).
    static func rebuildKeys(_ keys: GlobalKeys, _ writer: PostgresRecordWriter) async throws {
        try await writer.rows("DELETE FROM record_keys")
        for (type, fields) in keys.fields.sorted(by: { $0.key < $1.key }) {
            for field in fields {
                try await writer.rows(
                    """
                    INSERT INTO record_keys (type, field, value, record_id)
                    SELECT type, \(field), lower(fields ->> \(field)), id FROM records
                    WHERE type = \(type) AND NOT deleted AND jsonb_typeof(fields -> \(field)) = 'string'
                        AND btrim(fields ->> \(field), E' \\t\\r\\n') <> ''
                    ORDER BY seq
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
        try await writer.rows(
            """
            INSERT INTO meta (key, value) VALUES ('keys', \(keys.signature))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)
    }
}
