import Foundation
import Yams

/// Loads customization packages from YAML (the source administrators write) and JSON (the wire form), and
/// refuses a broken one with an error naming the file, line and key.
public enum PackageLoader {
    /// Loads and checks a package from YAML text; `file` names the source in errors.
    public static func load(yaml: String, file: String) throws(PackageLoadError) -> CustomizationPackage {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw PackageLoadError(file: file, line: 1, key: "", message: "the file is empty")
            }
            root = node
        } catch let error as PackageLoadError {
            throw error
        } catch let error as YamlError {
            throw yamlSyntaxError(error, file: file)
        } catch {
            throw PackageLoadError(file: file, key: "", message: "not valid YAML: \(error)")
        }
        guard root.mapping != nil else {
            throw PackageLoadError(
                file: file, line: root.mark?.line, column: root.mark?.column, key: "",
                message: "a package is a mapping of keys (name, version, types, ...)")
        }
        let json = YAMLToJSON.json(root)
        let source = NodeLocator(root: root, file: file)
        let package = try decode(Data(json.utf8), locator: source)
        try checkUnknownKeys(package, locator: source)
        try PackageChecker(package: package, locator: source).check()
        return package
    }

    /// Loads and checks a package file (YAML, or JSON when the name ends in `.json`).
    public static func load(contentsOf url: URL) throws -> CustomizationPackage {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw PackageLoadError(file: url.lastPathComponent, key: "", message: "the file is not UTF-8 text")
        }
        if url.pathExtension.lowercased() == "json" {
            return try load(json: data, file: url.lastPathComponent)
        }
        return try load(yaml: text, file: url.lastPathComponent)
    }

    /// Loads and checks a package from its JSON wire form.
    public static func load(json data: Data, file: String = "<wire>") throws(PackageLoadError)
        -> CustomizationPackage
    {
        let locator = NodeLocator(root: nil, file: file)
        let package = try decode(data, locator: locator)
        try PackageChecker(package: package, locator: locator).check()
        return package
    }

    /// The package's JSON wire form.
    public static func json(_ package: CustomizationPackage) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain Codable values into JSON cannot fail.
        return (try? encoder.encode(package)) ?? Data()
    }

    private static func decode(_ data: Data, locator: NodeLocator) throws(PackageLoadError) -> CustomizationPackage {
        do {
            return try JSONDecoder().decode(CustomizationPackage.self, from: data)
        } catch let error as DecodingError {
            throw locator.error(for: error)
        } catch {
            throw PackageLoadError(file: locator.file, key: "", message: "\(error)")
        }
    }

    private static func yamlSyntaxError(_ error: YamlError, file: String) -> PackageLoadError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return PackageLoadError(
                file: file, line: mark.line, column: mark.column, key: "", message: "YAML syntax: \(text)")
        default:
            return PackageLoadError(file: file, key: "", message: "YAML syntax: \(error)")
        }
    }

    /// Keys the types do not define (a typo such as `requried`) are refused rather than silently ignored.
    private static func checkUnknownKeys(_ package: CustomizationPackage, locator: NodeLocator)
        throws(PackageLoadError)
    {
        guard let root = locator.root,
            let encoded = try? JSONSerialization.jsonObject(with: json(package))
        else { return }
        if let error = unknownKey(node: root, encoded: encoded, path: [], locator: locator) { throw error }
    }

    private static func unknownKey(node: Node, encoded: Any, path: [String], locator: NodeLocator)
        -> PackageLoadError?
    {
        switch node {
        case .mapping(let mapping):
            guard let object = encoded as? [String: Any] else { return nil }
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else { continue }
                if case .scalar = valueNode, valueNode.null != nil { continue }
                guard let child = object[key] else {
                    return PackageLoadError(
                        file: locator.file, line: keyNode.mark?.line, column: keyNode.mark?.column,
                        key: (path + [key]).joined(separator: "."), message: "unknown key")
                }
                if let error = unknownKey(node: valueNode, encoded: child, path: path + [key], locator: locator) {
                    return error
                }
            }
        case .sequence(let sequence):
            guard let array = encoded as? [Any] else { return nil }
            for (index, element) in sequence.enumerated() where index < array.count {
                if let error = unknownKey(
                    node: element, encoded: array[index], path: path + ["\(index)"], locator: locator)
                {
                    return error
                }
            }
        default:
            break
        }
        return nil
    }
}
