import CRMModel
import Foundation

extension Desktop {
    /// The filter presets of the installed package.
    public func filterPresets() throws -> [SyncFilter] {
        try replica.requirePackage().filters ?? []
    }

    /// Chooses the filter for the next sync (which then sends only the difference), checking the preset and
    /// its parameters against the package.
    public func chooseFilter(_ name: String, parameters: [String: String]) throws {
        try FilterChoiceCheck.check(name: name, parameters: parameters, presets: try filterPresets())
        try replica.chooseFilter(name, parameters: parameters)
    }
}

/// Checks a filter choice against the package's presets, naming the flag and the parameter that are wrong.
public enum FilterChoiceCheck {
    public static func check(name: String, parameters: [String: String], presets: [SyncFilter]) throws {
        guard let preset = presets.first(where: { $0.name == name }) else {
            throw DesktopError(
                .invalidInput,
                "there is no filter '\(name)'; the package has \(presets.map(\.name).joined(separator: ", "))",
                field: "--filter")
        }
        let known = Dictionary(uniqueKeysWithValues: (preset.parameters ?? []).map { ($0.name, $0) })
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            guard let parameter = known[key] else {
                let names = known.keys.sorted()
                throw DesktopError(
                    .invalidInput,
                    "the filter '\(name)' has no parameter '\(key)'"
                        + (names.isEmpty ? "" : "; its parameters: \(names.joined(separator: ", "))"),
                    field: "--param")
            }
            switch parameter.kind {
            case .number where Int(value) == nil:
                throw DesktopError(.invalidInput, "'\(key)' takes a whole number, not '\(value)'", field: "--param")
            case .boolean where !["true", "false"].contains(value):
                throw DesktopError(.invalidInput, "'\(key)' takes true or false, not '\(value)'", field: "--param")
            default: break
            }
        }
    }
}
