import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// `crm-desktop list TYPE`: the records of a type with the form's list columns. Offline.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the records of a type (columns from the package's form).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type: Account, Contact, Opportunity, ...") var type: String
    @Option(
        name: .customLong("where"),
        help: ArgumentHelp("Only records whose FIELD shows VALUE, ignoring case (repeat: all must hold).", valueName: "FIELD=VALUE"))
    var conditions: [String] = []
    @Option(parsing: .unconditional, help: ArgumentHelp("Sort by FIELD; -FIELD sorts descending.", valueName: "FIELD"))
    var sort: String?
    @Option(help: "Show at most N records.") var limit: Int?
    @Option(help: "table, json or csv.") var format: OutputFormat = .table

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        _ = try editor.type(typeName)
        let presenter = RecordPresenter(package: editor.package)
        let query = try RecordQuery(where: conditions, sort: sort, limit: limit)
        try query.check(type: typeName, presenter: presenter)
        let records = try desktop.replica.localRecords(type: typeName, user: desktop.user)
        let fields = presenter.columns(typeName) + query.conditions.map(\.field) + (query.sort.map { [$0.field] } ?? [])
        let titles = try desktop.titles(of: presenter.referencedIDs(in: records, fields: fields), presenter: presenter)
        let shown = query.apply(to: records, presenter: presenter, titles: titles)
        switch format {
        case .json: print(presenter.json(shown), terminator: "")
        case .csv: print(presenter.csv(shown, type: typeName), terminator: "")
        case .table:
            print(presenter.table(shown, type: typeName, titles: titles, among: records.map(\.id)).table(), terminator: "")
            let console = Console()
            if let legend = presenter.legend(shown) { console.note(legend) }
            console.note(
                shown.count == records.count
                    ? "\(records.count) \(typeName) records" : "\(shown.count) of \(records.count) \(typeName) records")
        }
    }
}

extension Desktop {
    /// The titles of the records with these ids that this desktop holds (id -> title).
    func titles(of ids: Set<String>, presenter: RecordPresenter) throws -> [String: String] {
        var titles: [String: String] = [:]
        for id in ids {
            if let record = try replica.localRecord(id: id, user: user) { titles[id] = presenter.title(of: record.record) }
        }
        return titles
    }
}
