import CRMModel
import Foundation

/// Field values as a user types them on the command line and reads them in a table.
public enum FieldText {
    /// A value for display: text as is, numbers in their shortest decimal form, sets joined by commas.
    public static func display(_ value: FieldValue?) -> String {
        switch value {
        case nil, .null: ""
        case .string(let text): text
        case .bool(let flag): flag ? "yes" : "no"
        case .number(let number): "\(number)"
        case .array(let values): values.map { display($0) }.joined(separator: ",")
        case .object(let object):
            object.sorted { $0.key < $1.key }.map { "\($0.key)=\(display($0.value))" }.joined(separator: " ")
        }
    }

    /// Attachments as a person reads them: `offer.pdf (2.1 KB, application/pdf, id 3fa2b1c4)`, comma-separated;
    /// the id (the start of the content's SHA-256) is what `crm-desktop open-attachment` takes.
    public static func attachments(_ refs: [AttachmentRef]) -> String {
        refs.map { "\($0.name) (\(size($0.size)), \($0.mediaType), id \($0.sha256.prefix(8)))" }.joined(separator: ", ")
    }

    /// Bytes in the unit a person expects: `512 B`, `2.1 KB`, `5.0 MB`.
    public static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KB", Double(bytes) / 1024) }
        return String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    /// Reads a command-line value for a field of `kind`: numbers as decimals, booleans as yes/no/true/false,
    /// many-to-many ids comma-separated, an empty value as "clear the field".
    public static func parse(_ text: String, field: String, kind: FieldKind) -> Result<FieldValue, FieldTextError> {
        if text.isEmpty { return .success(.null) }
        switch kind {
        case .number, .currency:
            guard let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")),
                text.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" })
            else {
                return .failure(FieldTextError(issue: FieldIssue(field: field, code: .badFormat, message: "'\(text)' is not a number")))
            }
            return .success(.number(number))
        case .boolean:
            switch text.lowercased() {
            case "yes", "true", "1", "y", "on": return .success(.bool(true))
            case "no", "false", "0", "n", "off": return .success(.bool(false))
            default:
                return .failure(FieldTextError(issue: FieldIssue(field: field, code: .badFormat, message: "'\(text)' is not yes or no")))
            }
        case .references:
            let ids = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .success(.array(ids.map(FieldValue.string)))
        default:
            return .success(.string(text))
        }
    }
}

/// A command-line value that does not fit its field.
public struct FieldTextError: Error, Sendable {
    public var issue: FieldIssue
}
