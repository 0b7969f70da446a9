import CRMModel
import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// A page by keyset over (sort value, id), as the SQLite store pages: nulls first when ascending, the exact
    /// reverse when descending. A field's sort value is its JSONB value (a JSON null counts as no value), so
    /// numbers sort as numbers; text sorts by the database's collation (the test cluster's C locale compares
    /// bytes, as SQLite does). Equality filters use the folded GIN index, then compare exactly.
    public func list(_ query: RecordQuery) async throws -> RecordListPage {
        let kind = PostgresListCursor.Kind(query.sort.field)
        let after = try query.cursor.map { try PostgresListCursor(text: $0, kind: kind) }
        var statement = PostgresStatement()
        let expression: String
        switch query.sort.field {
        case "createdAt": expression = "created_at"
        case "updatedAt": expression = "updated_at"
        case "owner": expression = "owner"
        case "id": expression = "id"
        default: expression = "NULLIF(fields -> \(statement.placeholder(for: query.sort.field)), 'null'::jsonb)"
        }
        statement.append("SELECT \(PostgresRecordRow.columns), \(expression) AS sort_value FROM records WHERE type = ")
        statement.bind(query.type)
        statement.append(" AND NOT deleted")
        if case .users(let users) = query.visibility {
            let names = statement.placeholder(for: users.sorted())
            statement.append(
                " AND (owner = ANY(\(names))"
                    + " OR id IN (SELECT record_id FROM record_team WHERE user_name = ANY(\(names))))")
        }
        for filter in query.filters {
            if filter.isReference {
                statement.append(" AND id IN (SELECT source_id FROM record_refs WHERE target_id = ")
                statement.bind(filter.value.stringValue ?? "")
                statement.append(" AND field = ")
                statement.bind(filter.field)
                statement.append(")")
            } else if filter.value.isNull {
                statement.append(" AND coalesce(fields -> ")
                statement.bind(filter.field)
                statement.append(", 'null'::jsonb) = 'null'::jsonb")
            } else {
                let field = statement.placeholder(for: filter.field)
                let value = statement.placeholder(for: FieldJSON.text(filter.value))
                statement.append(
                    " AND lower(fields::text)::jsonb"
                        + " @> lower(jsonb_build_object(\(field), \(value)::jsonb)::text)::jsonb"
                        + " AND fields -> \(field) = \(value)::jsonb")
            }
        }
        let ascending = !query.sort.descending
        if let after {
            let op = ascending ? ">" : "<"
            let id = statement.placeholder(for: after.id)
            if let value = after.value {
                let bound = value.bind(into: &statement)
                let trailingNulls = ascending ? "" : " OR \(expression) IS NULL"
                statement.append(
                    " AND (\(expression) \(op) \(bound)"
                        + " OR (\(expression) = \(bound) AND id \(op) \(id))\(trailingNulls))")
            } else {
                let later = ascending ? "\(expression) IS NOT NULL OR " : ""
                statement.append(" AND (\(later)(\(expression) IS NULL AND id \(op) \(id)))")
            }
        }
        let order = ascending ? "ASC NULLS FIRST" : "DESC NULLS LAST"
        let direction = ascending ? "ASC" : "DESC"
        let limit = max(1, query.limit)
        statement.append(" ORDER BY sort_value \(order), id \(direction) LIMIT ")
        statement.bind(limit + 1)
        let sql = statement
        return try await onConnection { reader in
            let rows = try await reader.rows(sql.query)
            let page = rows.prefix(limit)
            let records = try page.map(PostgresRecordRow.record)
            var next: String?
            if rows.count > limit, let last = page.last, let record = records.last {
                next = PostgresListCursor(value: try kind.value(of: last), id: record.id).text
            }
            return RecordListPage(records: records, nextCursor: next)
        }
    }
}

/// The position after the last row of a page: its sort value and id (keyset paging, stable under inserts).
struct PostgresListCursor {
    /// What a sort value is, by the sorted column.
    enum Kind {
        /// `created_at`, `updated_at`: milliseconds.
        case time
        /// `owner`, `id`.
        case text
        /// A field: its JSON.
        case json

        init(_ field: String) {
            switch field {
            case "createdAt", "updatedAt": self = .time
            case "owner", "id": self = .text
            default: self = .json
            }
        }

        /// The sort value of a row that selected it after `PostgresRecordRow.columns` (column 12).
        func value(of row: PostgresRow) throws -> Value? {
            let cell = row.makeRandomAccess()[12]
            switch self {
            case .time: return try cell.decode(Int64?.self).map(Value.time)
            case .text: return try cell.decode(String?.self).map(Value.text)
            case .json: return try cell.decode(String?.self).map(Value.json)
            }
        }
    }

    enum Value: Equatable {
        case time(Int64)
        case text(String)
        case json(String)

        /// Binds the value as the sort expression's type and returns its placeholder.
        func bind(into statement: inout PostgresStatement) -> String {
            switch self {
            case .time(let millis): statement.placeholder(for: millis)
            case .text(let text): statement.placeholder(for: text)
            case .json(let json): statement.placeholder(for: json) + "::jsonb"
            }
        }
    }

    /// nil: the row had no value (SQL NULL or JSON null).
    var value: Value?
    var id: String

    init(value: Value?, id: String) {
        self.value = value
        self.id = id
    }

    private struct Encoded: Codable {
        var id: String
        var time: Int64?
        var text: String?
        var json: String?
    }

    /// Reads a cursor of a page sorted by a column of `kind`; anything else is an `InvalidCursor`.
    init(text: String, kind: Kind) throws {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let encoded = try? JSONDecoder().decode(Encoded.self, from: data)
        else { throw InvalidCursor() }
        id = encoded.id
        switch (kind, encoded.time, encoded.text, encoded.json) {
        case (_, nil, nil, nil): value = nil
        case (.time, let millis?, nil, nil): value = .time(millis)
        case (.text, nil, let text?, nil): value = .text(text)
        case (.json, nil, nil, let json?):
            // Bound as JSONB: it must be JSON, or the query would fail rather than the cursor.
            guard (try? JSONDecoder().decode(FieldValue.self, from: Data(json.utf8))) != nil else {
                throw InvalidCursor()
            }
            value = .json(json)
        default: throw InvalidCursor()
        }
    }

    var text: String {
        var encoded = Encoded(id: id)
        switch value {
        case .time(let millis): encoded.time = millis
        case .text(let text): encoded.text = text
        case .json(let json): encoded.json = json
        case nil: break
        }
        let data = (try? JSONEncoder().encode(encoded)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
