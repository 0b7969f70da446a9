import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop share FILE...`: vCard and iCalendar files of the user's own become CRM records.
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share", abstract: "Share vCard (.vcf) and iCalendar (.ics) files with the CRM (offline).",
        discussion: "Each contact, event or task becomes a record, as an item marked CRM in the PIM does; one that "
            + "matches a record by the duplicate rules is linked to it instead of copied. Every file is read first: "
            + "an unreadable one is reported with its line, and nothing is shared. The records go to the server with "
            + "the next `crm-desktop sync`.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The files to share.", valueName: "FILE")) var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one .vcf or .ics file") }
    }

    func run() async throws {
        let desktop = try global.open()
        let shared = try desktop.share(files: files)
        let presenter = RecordPresenter(package: try desktop.editor().package)
        for item in shared {
            let title = presenter.title(of: item.record.record)
            print("\(item.outcome.rawValue) \(item.record.type) \(item.record.id) \(title) (\(item.file))")
        }
        let created = shared.filter { $0.outcome == .created }.count
        Console().note(
            "\(created) created, \(shared.count - created) linked to records the CRM has"
                + (created > 0 ? "; the new ones go to the server with the next `crm-desktop sync`." : "."))
    }
}
