import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// `crm-desktop conflicts`: the open conflicts; `conflicts resolve ID --keep mine|theirs` or `--set field=value`.
struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "List open conflicts, or resolve one.",
        subcommands: [List.self, Resolve.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the open conflicts.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let desktop = try global.open()
            let conflicts = try desktop.openConflicts()
            let package = try desktop.replica.requirePackage()
            let presenter = RecordPresenter(package: package)
            if format == .json { return print(presenter.json(conflicts), terminator: "") }
            if conflicts.isEmpty && format == .table { return Console().note("No open conflicts.") }
            let rows = try conflicts.map { conflict -> [String] in
                let fields = conflict.fields
                let recordID = fields["recordId"]?.stringValue ?? ""
                let recordType = fields["recordType"]?.stringValue ?? ""
                let record = try desktop.replica.localRecord(id: recordID, user: desktop.user)
                let kind = fields["kind"]?.stringValue ?? "field"
                return [
                    format == .csv ? conflict.id : RecordPresenter.shortID(conflict.id),
                    "\(recordType) \(format == .csv ? recordID : RecordPresenter.shortID(recordID))"
                        + (record.map { " \(presenter.title(of: $0.record))" } ?? ""),
                    kind == "field" ? (fields["field"]?.stringValue ?? "") : kind,
                    FieldText.display(fields["serverValue"]), FieldText.display(fields["clientValue"]),
                    "\(fields["serverAuthor"]?.stringValue ?? "?") / \(fields["clientAuthor"]?.stringValue ?? "?")",
                ]
            }
            let table = RecordTable(
                headers: ["ID", "Record", "Field", "Server value", "Device value", "Server / device author"], rows: rows)
            if format == .csv { return print(table.csv(), terminator: "") }
            print(table.table(), terminator: "")
            Console().note(
                "\(conflicts.count) open; settle one with `crm-desktop conflicts resolve ID --keep mine|theirs` "
                    + "or `--set field=value`")
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve", abstract: "Settle a conflict on the server (needs the server).")

        enum Side: String, ExpressibleByArgument, CaseIterable {
            case mine, theirs
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The conflict's id, or its first characters (at least 4).") var id: String
        @Option(help: "Keep your side (mine) or the other side (theirs).") var keep: Side?
        @Option(name: .customLong("set"), help: ArgumentHelp("Write a value of your own.", valueName: "field=value"))
        var assignment: String?

        func validate() throws {
            guard (keep == nil) != (assignment == nil) else {
                throw ValidationError("give either --keep mine|theirs or --set field=value")
            }
        }

        func run() async throws {
            let desktop = try global.open()
            let conflict = try desktop.findConflict(id)
            let choice: ConflictChoice
            switch (keep, assignment) {
            case (.some(.mine), _): choice = .mine
            case (.some(.theirs), _): choice = .theirs
            default: choice = .value(try value(of: assignment ?? "", for: conflict, desktop: desktop))
            }
            let answer = try await desktop.resolveConflict(id: conflict.id, choice)
            var text = "Resolved conflict \(RecordPresenter.shortID(conflict.id))"
            if let record = answer.record {
                text += "; \(record.type) \(RecordPresenter.shortID(record.id)) is now at version \(record.version)"
            }
            Console().note(text + ".")
        }

        /// The `--set` value, read for the conflict's field as `edit` reads it.
        private func value(of assignment: String, for conflict: LocalRecord, desktop: Desktop) throws -> FieldValue {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw DesktopError(.invalidInput, "write --set field=value", field: "--set")
            }
            let field = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            let conflictField = conflict.fields["field"]?.stringValue
            guard field == conflictField else {
                throw DesktopError(
                    .invalidInput,
                    conflictField.map { "this conflict is about '\($0)', not '\(field)'" }
                        ?? "this conflict is not about one field; use --keep mine or --keep theirs", field: "--set")
            }
            let recordType = conflict.fields["recordType"]?.stringValue ?? ""
            let kind = try desktop.replica.requirePackage().types[recordType]?.fields[field]?.kind ?? .text
            switch FieldText.parse(text, field: field, kind: kind) {
            case .success(let value): return value
            case .failure(let error):
                throw DesktopError(.invalidInput, "the value does not fit \(field)", field: "--set", issues: [error.issue])
            }
        }
    }
}
