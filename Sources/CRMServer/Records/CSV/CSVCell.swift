import CRMModel
import Foundation

/// A field value as a CSV cell, both ways, so that an exported file imports back to the same values: text,
/// dates and date-times as stored, numbers as their decimal digits (never binary floating point), booleans as
/// `true`/`false`, a reference as the record's id, a many-to-many field as its ids joined by commas, and no
/// value as an empty cell.
public enum CSVCell {
    /// The cell text of `value`.
    public static func text(_ value: FieldValue?) -> String {
        switch value {
        case nil, .null: ""
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): "\(number)"
        case .array(let values): values.map { text($0) }.joined(separator: ",")
        case .object: ""
        }
    }

    /// The value a cell gives a field of `kind`: an empty cell is no value; booleans also read as yes/no and
    /// 1/0; many-to-many ids may be separated by commas or semicolons. Ids are put in canonical form and sets
    /// sorted, as the validator would, so an unchanged cell compares equal to the stored value.
    public static func value(_ text: String, kind: FieldKind) -> Result<FieldValue, CSVCellError> {
        if text.isEmpty { return .success(.null) }
        switch kind {
        case .number, .currency:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty,
                trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }),
                let number = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
            else { return .failure(CSVCellError("'\(text)' is not a number (digits with a '.' for decimals)")) }
            return .success(.number(number))
        case .boolean:
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "yes", "1": return .success(.bool(true))
            case "false", "no", "0": return .success(.bool(false))
            default: return .failure(CSVCellError("'\(text)' is not true or false"))
            }
        case .reference:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let id = RecordID.canonical(trimmed) else {
                return .failure(CSVCellError("'\(text)' is not a record id"))
            }
            return .success(.string(id))
        case .references:
            var ids = Set<String>()
            for part in text.split(whereSeparator: { $0 == "," || $0 == ";" }) {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                guard let id = RecordID.canonical(trimmed) else {
                    return .failure(CSVCellError("'\(trimmed)' is not a record id"))
                }
                ids.insert(id)
            }
            return .success(ids.isEmpty ? .null : .array(ids.sorted().map(FieldValue.string)))
        case .attachments:
            return .failure(CSVCellError("attachments cannot be imported from CSV"))
        default:
            return .success(.string(text))
        }
    }

    /// User names in a `team` cell, separated by commas or semicolons.
    static func names(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Why a cell does not fit its field.
public struct CSVCellError: Error, Sendable, Equatable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }
}
