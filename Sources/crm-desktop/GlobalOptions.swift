import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// The options every command takes: where the desktop's home folder is.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The desktop's home folder (default: $CRM_DESKTOP_HOME, else ~/.crm-desktop).", valueName: "DIR"))
    var home: String?

    var desktopHome: DesktopHome { DesktopHome.resolve(flag: home) }

    /// The set-up desktop of the home folder.
    func open() throws -> Desktop { try Desktop.open(home: desktopHome) }
}

extension OutputFormat: ExpressibleByArgument {}

/// Writing results: text to standard output, JSON with the CRM's coders.
enum Output {
    static func json<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = CRMJSON.encoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `NAME=VALUE` arguments (`--param`) as a dictionary, naming the flag when one has no `=`.
    static func keyValues(_ pairs: [String], flag: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("\(flag) takes NAME=VALUE, not '\(pair)'")
            }
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return result
    }

    /// The password from one line of standard input (`--password-stdin`).
    static func passwordFromStdin() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw DesktopError(.invalidInput, "--password-stdin: standard input held no password", field: "--password-stdin")
        }
        return line
    }

    /// The first line of a file (`--pim-password-file`), naming the flag when it cannot be read or is empty.
    static func firstLine(of path: String, flag: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DesktopError(.invalidInput, "\(flag) \(path): the file cannot be read", field: flag)
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.isEmpty else {
            throw DesktopError(.invalidInput, "\(flag) \(path): the first line is empty", field: flag)
        }
        return line
    }

    /// Checks a PIM target (`none`, `vdir:FOLDER`, `dav:URL`) as a flag's value.
    static func checkPIMTarget(_ text: String, flag: String) throws {
        do {
            _ = try PIMTarget(text, field: flag)
        } catch let error as DesktopError {
            throw ValidationError("\(flag): \(error.message)")
        }
    }

    /// Whether standard error is a terminal (progress bars go there).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}

/// Record type names as users type them: exact, any letter case, or the plural label ("contacts").
enum TypeName {
    static func resolve(_ text: String, in package: CustomizationPackage) -> String {
        if package.types[text] != nil { return text }
        let folded = text.lowercased()
        for (name, type) in package.types.sorted(by: { $0.key < $1.key })
        where name.lowercased() == folded || type.plural?.lowercased() == folded || type.label.lowercased() == folded {
            return name
        }
        return text
    }
}
