extension PostgresSchema {
    /// The search index: `crm_search_vector(fields)` is the `tsvector` of a record's text, the string values of
    /// fields that are not references by the naming rule (`...Id`/`...Ids`), lower-cased and cut into runs of
    /// letters and digits (as `SearchTerms` and SQLite's FTS5 cut them; the `simple` configuration, so no
    /// stemming). A GIN index over that expression on live records serves every search; being an expression
    /// index, PostgreSQL keeps it in step with every writer, and building it indexes the records already stored.
    static let search = Migration(
        name: "v4-record-search",
        statements: [
            """
            CREATE FUNCTION crm_search_vector(fields JSONB) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                SELECT to_tsvector('simple'::regconfig, coalesce(string_agg(
                    regexp_replace(lower(e.value #>> '{}'), '[^[:alnum:]]+', ' ', 'g'), ' '), ''))
                FROM jsonb_each(fields) AS e
                WHERE jsonb_typeof(e.value) = 'string' AND e.key !~ 'Ids?$'
            $$
            """,
            "CREATE INDEX records_search ON records USING gin (crm_search_vector(fields)) WHERE NOT deleted",
        ])
}
