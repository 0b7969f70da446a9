import ArgumentParser
import CRMDesktop
import CRMModel
import CRMSyncProtocol
import Foundation

/// `crm-desktop search TYPE TEXT...`: records whose text holds the words (the last as a prefix). Offline over the
/// replica by default; `--online` asks the server, which searches every record the user may see, page by page.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find records by text: in the replica, or with --online on the server (then `fetch` one).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type: Account, Contact, Opportunity, ...") var type: String
    @Argument(help: "The words to find; the last may be the start of a word (acm finds Acme).") var words: [String]
    @Flag(help: "Search on the server: every record you may see, not only those this desktop holds.")
    var online = false
    @Option(help: "With --online: results per page (1 to 100).") var limit = 20
    @Option(help: "With --online: the page after the one that printed this cursor.") var cursor: String?
    @Option(help: "table, json or csv.") var format: OutputFormat = .table

    func validate() throws {
        guard !SearchTerms(words.joined(separator: " ")).words.isEmpty else {
            throw ValidationError("give a word to search for (letters or digits)")
        }
        guard (1...100).contains(limit) else { throw ValidationError("--limit is from 1 to 100") }
        guard online || cursor == nil else { throw ValidationError("--cursor pages an --online search") }
    }

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        _ = try editor.type(typeName)
        let presenter = RecordPresenter(package: editor.package)
        let text = words.joined(separator: " ")
        let console = Console()
        if !online {
            let found = try desktop.searchLocal(type: typeName, text: text, presenter: presenter)
            let columns = presenter.columns(typeName)
            let titles = try desktop.titles(of: presenter.referencedIDs(in: found, fields: columns), presenter: presenter)
            switch format {
            case .json: print(presenter.json(found), terminator: "")
            case .csv: print(presenter.csv(found, type: typeName), terminator: "")
            case .table:
                print(presenter.table(found, type: typeName, titles: titles).table(), terminator: "")
                console.note("\(found.count) \(typeName) records in this desktop match; --online searches the server")
            }
            return
        }
        let page = try await desktop.searchOnline(type: typeName, text: text, limit: limit, cursor: cursor)
        let columns = presenter.columns(typeName)
        switch format {
        case .json:
            print(try Output.json(page))
        case .csv:
            print(RecordTable(headers: ["id"] + columns, rows: page.results.map { hit in
                [hit.id] + columns.map { FieldText.display(hit.fields[$0]) }
            }).csv(), terminator: "")
        case .table:
            let held = Set(try desktop.replica.localRecords(type: typeName, user: desktop.user).map(\.id))
            print(RecordTable(
                headers: ["ID"] + columns.map { presenter.label($0, type: typeName) } + ["Here"],
                rows: page.results.map { hit in
                    [hit.id] + columns.map { FieldText.display(hit.fields[$0]) } + [held.contains(hit.id) ? "yes" : ""]
                }
            ).table(), terminator: "")
            console.note("\(page.results.count) \(typeName) records on this page; `crm-desktop fetch \(typeName) ID` "
                + "brings one here")
            if let next = page.nextCursor {
                console.note("more: crm-desktop search \(typeName) \(text) --online --cursor \(next)")
            }
        }
    }
}
