import CRMModel
import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func list(_ query: RecordQuery) async throws -> RecordListPage {
        let after = try query.cursor.map(ListCursor.init(text:))
        return try await read { db in
            var sql = "SELECT \(RecordRow.columns), \(Self.sortExpression(query.sort)) AS sort_value FROM records"
            var conditions = ["type = ?", "deleted = 0"]
            var arguments: StatementArguments = [query.type]
            var sortArguments: StatementArguments = []
            if !RecordSort.systemFields.contains(query.sort.field) { sortArguments += ["$." + query.sort.field] }
            if case .users(let users) = query.visibility {
                let names = users.sorted()
                let marks = Array(repeating: "?", count: names.count).joined(separator: ",")
                conditions.append(
                    "(owner IN (\(marks)) OR id IN (SELECT record_id FROM record_team WHERE user IN (\(marks))))")
                arguments += StatementArguments(names)
                arguments += StatementArguments(names)
            }
            for filter in query.filters {
                if filter.isReference {
                    conditions.append(
                        "id IN (SELECT source_id FROM record_refs WHERE target_id = ? AND field = ?)")
                    arguments += [filter.value.stringValue ?? "", filter.field]
                } else if filter.value.isNull {
                    conditions.append("json_extract(fields, ?) IS NULL")
                    arguments += ["$." + filter.field]
                } else {
                    conditions.append("json_extract(fields, ?) = ?")
                    arguments += ["$." + filter.field, Self.databaseValue(filter.value)]
                }
            }
            if let after {
                let expression = Self.sortExpression(query.sort)
                let exprArguments = sortArguments
                let (op, nullsFirst) = query.sort.descending ? ("<", false) : (">", true)
                if after.value.isNull {
                    let later = nullsFirst ? "\(expression) IS NOT NULL OR " : ""
                    conditions.append("(\(later)(\(expression) IS NULL AND id \(op) ?))")
                    if nullsFirst { arguments += exprArguments }
                    arguments += exprArguments
                    arguments += [after.id]
                } else {
                    let trailingNulls = nullsFirst ? "" : " OR \(expression) IS NULL"
                    conditions.append(
                        "(\(expression) \(op) ? OR (\(expression) = ? AND id \(op) ?)\(trailingNulls))")
                    arguments += exprArguments + [after.value] + exprArguments + [after.value, after.id]
                    if !nullsFirst { arguments += exprArguments }
                }
            }
            let direction = query.sort.descending ? "DESC" : "ASC"
            sql += " WHERE " + conditions.joined(separator: " AND ")
            sql += " ORDER BY sort_value \(direction), id \(direction) LIMIT ?"
            let limit = max(1, query.limit)
            let rows = try Row.fetchAll(
                db, sql: sql, arguments: sortArguments + arguments + [limit + 1])
            let page = rows.prefix(limit)
            let records = try page.map(RecordRow.record)
            var next: String?
            if rows.count > limit, let last = page.last {
                next = ListCursor(value: last["sort_value"], id: last["id"]).text
            }
            return RecordListPage(records: records, nextCursor: next)
        }
    }

    static func sortExpression(_ sort: RecordSort) -> String {
        switch sort.field {
        case "createdAt": "created_at"
        case "updatedAt": "updated_at"
        case "owner": "owner"
        case "id": "id"
        default: "json_extract(fields, ?)"
        }
    }

    static func databaseValue(_ value: FieldValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .bool(let flag): (flag ? 1 : 0).databaseValue
        case .number(let number): NSDecimalNumber(decimal: number).doubleValue.databaseValue
        case .string(let text): text.databaseValue
        case .array, .object: DatabaseValue.null
        }
    }
}

/// The position after the last row of a page: its sort value and id (keyset paging, stable under inserts).
struct ListCursor {
    var value: DatabaseValue
    var id: String

    init(value: DatabaseValue, id: String) {
        self.value = value
        self.id = id
    }

    private struct Encoded: Codable {
        var id: String
        var int: Int64?
        var double: Double?
        var text: String?
    }

    init(text: String) throws {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let encoded = try? JSONDecoder().decode(Encoded.self, from: data)
        else { throw InvalidCursor() }
        id = encoded.id
        value =
            if let number = encoded.int { number.databaseValue }
            else if let number = encoded.double { number.databaseValue }
            else if let text = encoded.text { text.databaseValue }
            else { .null }
    }

    var text: String {
        var encoded = Encoded(id: id)
        switch value.storage {
        case .int64(let number): encoded.int = number
        case .double(let number): encoded.double = number
        case .string(let text): encoded.text = text
        default: break
        }
        let data = (try? JSONEncoder().encode(encoded)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
