import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// `crm-desktop filters`: the presets and the current choice, and the exclusions list; `--set NAME` chooses,
/// `--include TYPE ID` takes a record off the exclusions list.
struct FiltersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters", abstract: "Show or change which records this desktop keeps.",
        discussion: "A new choice takes effect at the next sync, which brings and drops only the difference.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("set"), help: ArgumentHelp("Choose this filter preset.", valueName: "NAME"))
    var preset: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter of the chosen filter.", valueName: "NAME=VALUE"))
    var parameters: [String] = []
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Take a record off the exclusions list (needs the server).", valueName: "TYPE ID"))
    var include: [String] = []

    func validate() throws {
        if !parameters.isEmpty && preset == nil { throw ValidationError("--param goes with --set NAME") }
        if !include.isEmpty && include.count != 2 { throw ValidationError("--include takes TYPE ID") }
        if !include.isEmpty && preset != nil { throw ValidationError("give --set or --include, not both") }
        _ = try Output.keyValues(parameters, flag: "--param")
    }

    func run() async throws {
        let desktop = try global.open()
        let console = Console()
        if let preset {
            try desktop.chooseFilter(preset, parameters: try Output.keyValues(parameters, flag: "--param"))
            return console.note("Chose \(preset); the next `crm-desktop sync` brings and drops the difference.")
        }
        if include.count == 2 {
            let package = try desktop.replica.requirePackage()
            let typeName = TypeName.resolve(include[0], in: package)
            let excluded = try desktop.replica.exclusions().filter { $0.type == typeName }
            let match = try IDPrefix.unique(
                include[1], among: excluded, id: \.id, what: "excluded records",
                missing: "no \(typeName) '\(include[1])' is on the exclusions list (`crm-desktop filters` lists it)",
                field: "--include")
            try await desktop.include(type: typeName, id: match.id)
            return console.note("\(typeName) \(match.id) is back on this desktop, and later syncs keep it.")
        }
        try show(desktop)
    }

    private func show(_ desktop: Desktop) throws {
        let presets = try desktop.filterPresets()
        let current = try desktop.replica.filter()
        let currentName = current.name ?? presets.first(where: \.isDefault)?.name
        var lines: [String] = []
        for preset in presets {
            let mark = preset.name == currentName ? "*" : " "
            var line = "\(mark) \(preset.name)  \(preset.label)"
            if preset.isDefault { line += " (your role's default)" }
            lines.append(line)
            for parameter in preset.parameters ?? [] {
                let value = preset.name == currentName ? current.parameters[parameter.name] : nil
                lines.append(
                    "      \(parameter.name): \(parameter.label) = \(value ?? parameter.default ?? "")"
                        + (value == nil && parameter.default != nil ? " (default)" : ""))
            }
        }
        if current.pending { lines.append("* chosen here; the next sync puts it in force") }
        let exclusions = try desktop.replica.exclusions()
        lines.append("")
        lines.append(exclusions.isEmpty ? "Exclusions: none" : "Exclusions (removed from this desktop only):")
        for exclusion in exclusions {
            lines.append("  \(exclusion.type) \(exclusion.id)  since \(Timestamp.string(from: exclusion.at))")
        }
        print(lines.joined(separator: "\n"))
    }
}
