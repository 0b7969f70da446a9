import CRMModel
import Foundation

/// Field values as the pages show them, and the text a form sends turned back into values of the field's kind.
enum FieldText {
    /// A value as plain text (references as ids; the pages turn those into links).
    static func display(_ value: FieldValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "Yes" : "No"
        case .number(let number): "\(number)"
        case .string(let text): text
        case .array(let values): values.map(display).joined(separator: ", ")
        case .object(let object):
            object["name"].map(display)
                ?? object.keys.sorted().map { "\($0): \(display(object[$0]!))" }
                .joined(separator: ", ")
        }
    }

    /// A value as a form's input shows it for editing.
    static func input(_ value: FieldValue?) -> String {
        switch value {
        case .bool(let flag): flag ? "true" : "false"
        case .some(let value): display(value)
        case .none: ""
        }
    }

    /// The value the form's texts stand for (`texts` has several entries for a many-to-many select). Empty text
    /// is no value. A number that does not parse is refused here (the API would see a string where a number goes);
    /// everything else is checked by the package's validation, as for the API.
    static func value(_ texts: [String], kind: FieldKind) -> Result<FieldValue, NotAValue> {
        let text = (texts.first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        switch kind {
        case .references:
            return .success(.array(texts.filter { !$0.isEmpty }.map(FieldValue.string)))
        case .number, .currency:
            if text.isEmpty { return .success(.null) }
            guard text.range(of: #"^[-+]?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil,
                let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
            else { return .failure(NotAValue(message: "'\(text)' is not a number")) }
            return .success(.number(number))
        case .boolean:
            if text.isEmpty { return .success(.null) }
            return .success(.bool(text == "true"))
        default:
            return .success(text.isEmpty ? .null : .string(text))
        }
    }
}

/// A form's text that is no value of its field's kind.
struct NotAValue: Error {
    let message: String
}
