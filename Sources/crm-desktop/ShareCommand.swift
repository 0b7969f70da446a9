import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop share FILE...`: vCard and iCalendar files become CRM records; email files (.eml) become email
/// activities linked to their contacts, account and opportunity.
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share", abstract: "Share emails (.eml), vCard (.vcf) and iCalendar (.ics) files with the CRM (offline).",
        discussion: "Each contact, event or task becomes a record, as an item marked CRM in the PIM does; one that "
            + "matches a record by the duplicate rules is linked to it instead of copied. Every .vcf/.ics file is read "
            + "first: an unreadable one is reported with its line, and nothing is shared.\n\n"
            + "Each email becomes one email activity (one per Message-ID in the whole CRM: when a colleague shared it "
            + "already, you join theirs), linked to the contacts its addresses belong to, their account, and the "
            + "account's open opportunity when there is exactly one. An unreadable email is reported and the others "
            + "go on. Everything goes to the server with the next `crm-desktop sync`. Exit status 2 when a file "
            + "could not be shared.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The files to share.", valueName: "FILE")) var files: [String]
    @Option(
        help: ArgumentHelp(
            "For emails: the open opportunity to link when the account has several, or the contacts are of several "
                + "accounts (it picks the account too); it must be one of their accounts'.", valueName: "ID"))
    var opportunity: String?
    @Flag(help: "For emails: create a contact for each address no contact has (sharing again adds them to the email).")
    var createContacts = false
    @Option(help: "table (text) or json.") var format: OutputFormat = .table

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one .eml, .vcf or .ics file") }
        if format == .csv { throw ValidationError("--format takes table or json here") }
    }

    func run() async throws {
        let desktop = try global.open()
        let emails = files.filter { Desktop.isEmailFile($0) }
        let others = files.filter { !Desktop.isEmailFile($0) }
        var failed = false
        if !others.isEmpty {
            let shared = try desktop.share(files: others)
            let presenter = RecordPresenter(package: try desktop.editor().package)
            for item in shared {
                let title = presenter.title(of: item.record.record)
                print("\(item.outcome.rawValue) \(item.record.type) \(item.record.id) \(title) (\(item.file))")
            }
            let created = shared.filter { $0.outcome == .created }.count
            Console().note("\(created) created, \(shared.count - created) linked to records the CRM has.")
        }
        if !emails.isEmpty {
            let results = try desktop.shareMail(
                files: emails, options: MailShareOptions(opportunityID: opportunity, createContacts: createContacts))
            if format == .json { print(try Output.json(results)) } else { MailOutput.print(results) }
            failed = results.contains { $0.outcome == .failed }
        }
        Console().note("What was shared goes to the server with the next `crm-desktop sync`.")
        if failed { throw ExitCode(2) }
    }
}

/// Mail share results as text: one line per message, its notes indented, problems on standard error.
enum MailOutput {
    static func print(_ results: [MailShareResult]) {
        let console = Console()
        for result in results {
            switch result.outcome {
            case .failed:
                console.note("not shared: " + (result.problem ?? result.source))
            default:
                let subject = result.subject ?? "(no subject)"
                Swift.print("\(result.outcome.rawValue) \(result.recordID ?? "-") \(result.direction ?? "") \"\(subject)\" (\(result.source))")
                for note in result.notes { Swift.print("  \(note)") }
            }
        }
        let shared = results.filter { $0.outcome == .shared }.count
        let again = results.filter { $0.outcome == .alreadyShared }.count
        let failed = results.filter { $0.outcome == .failed }.count
        console.note("\(shared) emails shared, \(again) shared before, \(failed) not readable.")
    }
}
