import Foundation
import Yams

/// Finds where in the YAML source a key path lies, so that errors can name the line.
struct NodeLocator {
    let root: Node?
    let file: String

    /// The error for a key path, with the line of the deepest node of the path that exists in the source.
    func error(at path: [String], _ message: String) -> PackageLoadError {
        let mark = self.mark(for: path)
        return PackageLoadError(
            file: file, line: mark?.line, column: mark?.column, key: path.joined(separator: "."), message: message)
    }

    func mark(for path: [String]) -> Mark? {
        guard var node = root else { return nil }
        var mark = node.mark
        for component in path {
            if let mapping = node.mapping {
                guard let entry = mapping.first(where: { $0.key.string == component }) else { break }
                mark = entry.key.mark
                node = entry.value
            } else if let sequence = node.sequence, let index = Int(component), index < sequence.count {
                node = sequence[index]
                mark = node.mark
            } else {
                break
            }
        }
        return mark
    }

    func error(for decoding: DecodingError) -> PackageLoadError {
        func keys(_ path: [any CodingKey]) -> [String] {
            path.map { $0.intValue.map(String.init) ?? $0.stringValue }
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            let path = keys(context.codingPath)
            let mark = self.mark(for: path)
            return PackageLoadError(
                file: file, line: mark?.line, column: mark?.column,
                key: (path + [key.stringValue]).joined(separator: "."), message: "required key is missing")
        case .typeMismatch(let type, let context):
            return error(at: keys(context.codingPath), "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            return error(at: keys(context.codingPath), "expected \(Self.describe(type)), found nothing")
        case .dataCorrupted(let context):
            let path = keys(context.codingPath)
            if let underlying = context.underlyingError {
                return error(at: path, "not valid JSON: \(underlying.localizedDescription)")
            }
            return error(at: path, Self.friendly(context.debugDescription, path: path))
        @unknown default:
            return PackageLoadError(file: file, key: "", message: "\(decoding)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type, is Decimal.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        default:
            "\(type)".hasPrefix("Array") ? "a list" : "\(type)".hasPrefix("Dictionary") ? "a mapping" : "\(type)"
        }
    }

    private static func friendly(_ text: String, path: [String]) -> String {
        // "Cannot initialize FieldKind from invalid String value texxt" -> name the allowed values.
        // Two nested types are called `Kind`: a filter parameter's and a validation rule's.
        let kinds =
            path.contains("parameters")
            ? FilterParameter.Kind.allCases.map(\.rawValue) : ValidationRule.Kind.allCases.map(\.rawValue)
        for (name, values) in [
            ("FieldKind", FieldKind.allCases.map(\.rawValue)), ("OnDelete", OnDelete.allCases.map(\.rawValue)),
            ("ConflictRule", ConflictRule.allCases.map(\.rawValue)), ("Visibility", Visibility.allCases.map(\.rawValue)),
            ("Ownership", TypeFilter.Ownership.allCases.map(\.rawValue)), ("Kind", kinds),
            ("Component", PIMMapping.Component.allCases.map(\.rawValue)),
        ] where text.contains(name) {
            let found = text.components(separatedBy: "value ").last ?? ""
            return "'\(found)' is not one of: \(values.joined(separator: ", "))"
        }
        return text
    }
}
