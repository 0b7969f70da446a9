import GRDB

extension SQLiteSchema {
    /// The text of a record's fields that the search index holds, as SQL over the row `row` (`new` or `old` in a
    /// trigger): the string values of fields that are not references by the naming rule, joined by spaces. JSON
    /// keys, ids, numbers and lists are left out (`SearchTerms.isIndexed` says the same in Swift).
    static func searchText(of row: String) -> String {
        """
        (SELECT group_concat(j.value, ' ') FROM json_each(\(row).fields) AS j
         WHERE j.type = 'text' AND j.key NOT GLOB '*Id' AND j.key NOT GLOB '*Ids')
        """
    }

    /// `record_search`: an FTS5 index of every live record's text (`searchText`), its rowid the record's rowid.
    /// Triggers on `records` keep it in step with every writer (inserts, `INSERT OR REPLACE`, updates,
    /// tombstones, purges, bulk loads and copies), so no write path can forget it; the migration builds it for
    /// the records already stored. Words are cut by `unicode61` without diacritics, as `SearchTerms` cuts them.
    static func registerSearch(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-record-search") { db in
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE record_search USING fts5(
                        body, tokenize = 'unicode61 remove_diacritics 2');

                    -- INSERT OR REPLACE removes the old row without firing delete triggers (recursive triggers
                    -- are off): drop its index row first.
                    CREATE TRIGGER record_search_replace BEFORE INSERT ON records BEGIN
                        DELETE FROM record_search WHERE rowid = (SELECT rowid FROM records WHERE id = new.id);
                    END;
                    CREATE TRIGGER record_search_insert AFTER INSERT ON records WHEN new.deleted = 0 BEGIN
                        INSERT INTO record_search (rowid, body) VALUES (new.rowid, \(searchText(of: "new")));
                    END;
                    CREATE TRIGGER record_search_update AFTER UPDATE OF fields, deleted ON records
                    WHEN old.fields IS NOT new.fields OR old.deleted IS NOT new.deleted BEGIN
                        DELETE FROM record_search WHERE rowid = old.rowid;
                        INSERT INTO record_search (rowid, body)
                            SELECT new.rowid, \(searchText(of: "new")) WHERE new.deleted = 0;
                    END;
                    CREATE TRIGGER record_search_delete AFTER DELETE ON records BEGIN
                        DELETE FROM record_search WHERE rowid = old.rowid;
                    END;

                    INSERT INTO record_search (rowid, body)
                        SELECT rowid, \(searchText(of: "records")) FROM records WHERE deleted = 0;
                    """)
        }
    }

    /// `record_search_pending`: the rowids of `records` whose index row is out of date. The v8 triggers kept the
    /// index in every write, which measured 40% to 70% more server CPU per pushed op (tokenizing the old and the
    /// new text, the index's own rows); the triggers now only note the row, in the same transaction, and
    /// `SQLiteStore.refreshSearchIndex` brings the index up to date in batches: before every search (so a search
    /// finds what was written before it) and every few seconds in `crm-server serve`. A noted row survives a
    /// crash with the write that noted it.
    static func registerDeferredSearch(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-record-search-deferred") { db in
            try db.execute(
                sql: """
                    DROP TRIGGER record_search_replace;
                    DROP TRIGGER record_search_insert;
                    DROP TRIGGER record_search_update;
                    DROP TRIGGER record_search_delete;

                    CREATE TABLE record_search_pending (row INTEGER PRIMARY KEY);

                    -- INSERT OR REPLACE removes the old row without firing delete triggers (recursive triggers
                    -- are off): note the old row first.
                    CREATE TRIGGER record_search_note_replace BEFORE INSERT ON records BEGIN
                        INSERT OR IGNORE INTO record_search_pending (row)
                            SELECT rowid FROM records WHERE id = new.id;
                    END;
                    CREATE TRIGGER record_search_note_insert AFTER INSERT ON records BEGIN
                        INSERT OR IGNORE INTO record_search_pending (row) VALUES (new.rowid);
                    END;
                    CREATE TRIGGER record_search_note_update AFTER UPDATE OF fields, deleted ON records
                    WHEN old.fields IS NOT new.fields OR old.deleted IS NOT new.deleted BEGIN
                        INSERT OR IGNORE INTO record_search_pending (row) VALUES (new.rowid);
                    END;
                    CREATE TRIGGER record_search_note_delete AFTER DELETE ON records BEGIN
                        INSERT OR IGNORE INTO record_search_pending (row) VALUES (old.rowid);
                    END;
                    """)
        }
    }

    /// Brings the index rows of up to `limit` noted records up to date (the lowest rowids first) and forgets
    /// them; returns how many were noted. A row's index entry is always made from the record as it is now, so a
    /// rowid noted twice, or noted and then reused, comes out right.
    static func refreshSearch(limit: Int, in db: Database) throws -> Int {
        let rows = try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT row FROM record_search_pending ORDER BY row LIMIT ?"), arguments: [limit])
        guard let last = rows.last else { return 0 }
        try db.cachedStatement(
            sql: "DELETE FROM record_search WHERE rowid IN (SELECT row FROM record_search_pending WHERE row <= ?)"
        ).execute(arguments: [last])
        try db.cachedStatement(
            sql: """
                INSERT INTO record_search (rowid, body)
                SELECT rowid, \(searchText(of: "records")) FROM records
                WHERE rowid IN (SELECT row FROM record_search_pending WHERE row <= ?) AND deleted = 0
                """
        ).execute(arguments: [last])
        try db.cachedStatement(sql: "DELETE FROM record_search_pending WHERE row <= ?").execute(arguments: [last])
        return rows.count
    }
}
