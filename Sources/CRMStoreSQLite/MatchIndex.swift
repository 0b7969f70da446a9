import CRMModel
import Foundation
import GRDB

/// Indexes for look-ups by field value: duplicate rules and global keys ask for the records of a type whose
/// fields hold given values on every create (`PushTransaction.matching`). Without an index each look-up reads every
/// record of the type, so creates slowed with the database (60 per second at 50,000 records).
///
/// The first look-up of a type and field creates a partial index on that field's value (case-folded for text)
/// over the type's live records; later look-ups are index seeks. The package decides which fields are looked up,
/// so the indexes follow it without a migration. SQLite uses an expression index only when the query spells the
/// same expression and its `WHERE` implies the index's, so type and JSON path are written into the SQL as
/// literals, not bound.
enum MatchIndex {
    /// The expression a look-up of `field` compares: the JSON value, case-folded for text.
    static func expression(field: String, folded: Bool) -> String {
        let value = "json_extract(fields, \(literal("$.\"\(field.replacingOccurrences(of: "\"", with: ""))\"")))"
        return folded ? "lower(\(value))" : value
    }

    /// The condition that selects a type's live records, as the index and the query both spell it.
    static func liveRecords(of type: String) -> String { "type = \(literal(type)) AND deleted = 0" }

    /// Creates the index for look-ups of `field` of `type` unless it exists. Runs on every create: the check is
    /// a cached statement, and the `CREATE` (prepared anew each time, as schema statements are) runs once.
    static func ensure(type: String, field: String, folded: Bool, in db: Database) throws {
        let name = "records_match_\(identifier(type))_\(identifier(field))\(folded ? "" : "_exact")"
        let exists = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?"), arguments: [name])
        guard exists != true else { return }
        try db.execute(
            sql: "CREATE INDEX IF NOT EXISTS \(name) ON records(\(expression(field: field, folded: folded))) "
                + "WHERE \(liveRecords(of: type))")
    }

    /// The query for the live records of `type` whose fields hold `values` (text case-folded), in id order, and
    /// the text field whose index serves it (the first by name; the other values filter its few rows).
    static func lookUp(type: String, values: [String: FieldValue], limit: Int)
        -> (sql: String, arguments: StatementArguments, indexed: String?)
    {
        var sql = "SELECT \(RecordRow.columns) FROM records WHERE \(liveRecords(of: type))"
        var arguments: [DatabaseValueConvertible] = []
        var indexed: String?
        for (field, value) in values.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .string(let text):
                if indexed == nil { indexed = field }
                sql += " AND \(expression(field: field, folded: true)) = lower(?)"
                arguments.append(text)
            case .bool(let flag):
                sql += " AND \(expression(field: field, folded: false)) = ?"
                arguments.append(flag ? 1 : 0)
            case .number(let number):
                sql += " AND \(expression(field: field, folded: false)) = ?"
                arguments.append(NSDecimalNumber(decimal: number).doubleValue)
            default:
                sql += " AND json(\(expression(field: field, folded: false))) = json(?)"
                arguments.append(FieldJSON.text(value))
            }
        }
        arguments.append(max(1, limit))
        // `+id`: ordered after the seek; left to itself the planner walks the type's id index to skip the sort,
        // reading every record of the type.
        sql += indexed == nil ? " ORDER BY id LIMIT ?" : " ORDER BY +id LIMIT ?"
        return (sql, StatementArguments(arguments), indexed)
    }

    /// `text` as an SQL string literal.
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// A name part of letters, digits and underscores; anything else spelled as its code point, so two names
    /// never meet.
    static func identifier(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                result += "_\(String(scalar.value, radix: 16))_"
            }
        }
        return result
    }
}
