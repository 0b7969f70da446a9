import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// `crm-desktop show TYPE ID`: one record as its form lays it out, with its related records. Offline.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one record: its form's sections, its state and related records.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type.") var type: String
    @Argument(help: "The record's id, or its first characters (at least 4).") var id: String
    @Option(help: "table (text) or json.") var format: OutputFormat = .table

    func validate() throws {
        if format == .csv { throw ValidationError("--format takes table or json here") }
    }

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let record = try editor.find(TypeName.resolve(type, in: editor.package), id: id)
        let presenter = RecordPresenter(package: editor.package)
        if format == .json { return print(presenter.json(record), terminator: "") }
        var referenced: [String: LocalRecord] = [:]
        for (_, target) in editor.package.types[record.type]?.references(in: record.fields) ?? [] {
            referenced[target] = try desktop.replica.localRecord(id: target, user: desktop.user)
        }
        let detail = RecordDetail(
            record: record, referencing: try desktop.replica.referencing(id: record.id, user: desktop.user),
            referenced: referenced, ops: try desktop.replica.outbox().filter { $0.op.id == record.id },
            fetchedByHand: try desktop.replica.fetchedIDs().contains(record.id))
        print(presenter.detail(detail), terminator: "")
    }
}
