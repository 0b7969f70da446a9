import CRMTesting
import Foundation
import GRDB
import Testing

@testable import CRMDesktop

/// A replica made by an older desktop opens with the current schema and keeps what it held.
@Suite struct ReplicaMigrationTests {
    @Test func pimStatusRowsOfTheOldHashAtStampFormSplitIntoTheirTwoColumns() throws {
        let folder = try TemporaryDirectory(prefix: "crm-replica-migration")
        defer { folder.remove() }
        let path = folder.path("replica.sqlite")
        // The replica as the desktop before v5 left it: the source stamp stored after an @ in fields_hash.
        let old = try DatabaseQueue(path: path)
        try ReplicaSchema.migrator().migrate(old, upTo: "v4-provisional-index")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO pim_items (collection, href, crm_id, etag, item_hash, fields_hash, written)
                    VALUES ('contacts', 'a.vcf', 'id-a', 'e1', 'h1', 'fieldsA@stampA', NULL),
                           ('contacts', 'b.vcf', 'id-b', 'e2', 'h2', 'fieldsB', NULL)
                    """)
        }
        try old.close()

        let replica = try Replica(path: path)
        _ = replica
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT href, fields_hash, source_stamp FROM pim_items ORDER BY href")
                .map { [$0["href"] as String, $0["fields_hash"] as String, ($0["source_stamp"] as String?) ?? "nil"] }
        }
        #expect(rows == [["a.vcf", "fieldsA", "stampA"], ["b.vcf", "fieldsB", "nil"]])
    }
}
