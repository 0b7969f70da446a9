import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// `crm-desktop new TYPE field=value...`: creates a record offline and prints its id.
struct NewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create a record (offline; it goes to the server with the next sync).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type.") var type: String
    @Argument(help: ArgumentHelp("The fields to set.", valueName: "field=value")) var assignments: [String] = []
    @Flag(help: "Create it even when a record you can see matches a duplicate rule.") var insist = false

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        let record = try editor.create(type: typeName, assignments: assignments, insist: insist)
        print(record.id)
        Console().note(
            "Created \(typeName) \(RecordPresenter(package: editor.package).title(of: record.record)); "
                + "it goes to the server with the next sync.")
    }
}

/// `crm-desktop edit TYPE ID field=value...`: changes fields offline.
struct EditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Change fields of a record (offline; an empty value clears a field).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type.") var type: String
    @Argument(help: "The record's id, or its first characters (at least 4).") var id: String
    @Argument(help: ArgumentHelp("The fields to change.", valueName: "field=value")) var assignments: [String] = []

    func validate() throws {
        if assignments.isEmpty { throw ValidationError("give at least one field=value to change") }
    }

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        let record = try editor.find(typeName, id: id)
        let updated = try editor.update(type: typeName, id: record.id, assignments: assignments)
        Console().note(
            updated.pendingOps > record.pendingOps || updated != record
                ? "Changed \(typeName) \(RecordPresenter(package: editor.package).title(of: updated.record)); "
                    + "it goes to the server with the next sync."
                : "Nothing changed: the fields already hold these values.")
    }
}

/// `crm-desktop delete TYPE ID`: deletes in the CRM, or only removes the record from this desktop.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a record in the CRM, or only remove it from this desktop.",
        discussion: "For accounts, contacts and opportunities it asks which on a terminal; scripts say it with "
            + "--yes (delete in the CRM) or --local-only (remove here; later syncs leave it out).")

    /// The types whose delete asks "in the CRM, or only here?".
    static let askingTypes: Set<String> = ["Account", "Contact", "Opportunity"]

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type.") var type: String
    @Argument(help: "The record's id, or its first characters (at least 4).") var id: String
    @Flag(help: "Delete it in the CRM, without asking.") var yes = false
    @Flag(help: "Only remove it from this desktop; it stays in the CRM and later syncs leave it out.")
    var localOnly = false

    func validate() throws {
        if yes && localOnly { throw ValidationError("give --yes or --local-only, not both") }
    }

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        let record = try editor.find(typeName, id: id)
        let title = RecordPresenter(package: editor.package).title(of: record.record)
        let console = Console()
        var local = localOnly
        if !yes && !localOnly && Self.askingTypes.contains(typeName) {
            guard console.isInteractive else {
                throw DesktopError(
                    .invalidInput,
                    "deleting this \(typeName) needs a choice: --yes deletes it in the CRM, --local-only only removes it "
                        + "from this desktop", field: "--yes")
            }
            let choice = try console.choose(
                "Delete \(typeName) \(title) in the CRM, or only remove it from this desktop?",
                options: [
                    ("crm", "delete it in the CRM, for everyone (with the next sync)"),
                    ("local", "only remove it from this desktop; it stays in the CRM"),
                    ("keep", "keep it"),
                ], default: "keep")
            if choice == "keep" { return console.note("Nothing was deleted.") }
            local = choice == "local"
        }
        if local {
            try editor.removeLocally(type: typeName, id: record.id)
            console.note(
                "Removed \(typeName) \(title) from this desktop; it stays in the CRM. "
                    + "`crm-desktop filters --include \(typeName) \(record.id)` brings it back.")
        } else {
            try editor.delete(type: typeName, id: record.id)
            console.note("Deleted \(typeName) \(title); the delete goes to the server with the next sync.")
        }
    }
}

/// `crm-desktop link TYPE ID FIELD TARGET`: adds a reference (or an id to a many-to-many field).
struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Link a record to another through a reference or many-to-many field.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reference: LinkArguments

    func run() async throws { try reference.apply(unlink: false, desktop: global.open()) }
}

/// `crm-desktop unlink TYPE ID FIELD TARGET`: removes a reference.
struct UnlinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlink", abstract: "Remove a link made through a reference or many-to-many field.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reference: LinkArguments

    func run() async throws { try reference.apply(unlink: true, desktop: global.open()) }
}

/// What `link` and `unlink` take.
struct LinkArguments: ParsableArguments {
    @Argument(help: "The record type.") var type: String
    @Argument(help: "The record's id, or its first characters.") var id: String
    @Argument(help: "The reference or many-to-many field (like accountId or contactIds).") var field: String
    @Argument(help: "The id of the record to link, or its first characters.") var target: String

    func apply(unlink: Bool, desktop: Desktop) throws {
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        let record = try editor.find(typeName, id: id)
        try editor.link(type: typeName, id: record.id, field: field, target: target, unlink: unlink)
        Console().note("\(unlink ? "Unlinked" : "Linked"); the change goes to the server with the next sync.")
    }
}
