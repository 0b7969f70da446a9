import CRMModel
import Foundation

/// CRM field values as PIM property text and back, by field kind. Dates travel as `YYYY-MM-DD` in the CRM and
/// as `YYYYMMDD` (or `YYYY-MM-DD`, which readers write too) in vCard and iCalendar.
enum FieldCoding {
    /// The text a PIM shows for a plain (not reference) value; nil for no value.
    static func text(_ value: FieldValue?, kind: FieldKind) -> String? {
        switch value {
        case nil, .null: return nil
        case .string(let text): return text.isEmpty ? nil : text
        case .number(let number): return "\(number)"
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    /// A field value from PIM text (nil text: the field is cleared).
    static func value(_ text: String?, kind: FieldKind) -> FieldValue {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return .null }
        switch kind {
        case .number, .currency: return Decimal(string: text).map(FieldValue.number) ?? .string(text)
        case .boolean: return .bool(["true", "yes", "1"].contains(text.lowercased()))
        case .date: return .string(isoDate(text) ?? text)
        default: return .string(text)
        }
    }

    /// `YYYYMMDD`, `YYYY-MM-DD` or a date-time's date part as `YYYY-MM-DD`.
    static func isoDate(_ text: String) -> String? {
        let digits = text.prefix(10).filter(\.isNumber)
        guard digits.count >= 8 else { return nil }
        let d = Array(digits.prefix(8))
        return "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))"
    }

    /// `YYYY-MM-DD` as `YYYYMMDD`.
    static func basicDate(_ iso: String) -> String { iso.replacingOccurrences(of: "-", with: "") }
}
