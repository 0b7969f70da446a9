import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// `crm-desktop attach TYPE ID FILE...`: attaches files to a record offline.
struct AttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach files to a record (offline; the next sync uploads them).",
        discussion: "The package limits the size (default 5 MB) and the types of files each record type takes.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type.") var type: String
    @Argument(help: "The record's id, or its first characters (at least 4).") var id: String
    @Argument(help: ArgumentHelp("The files to attach.", valueName: "FILE")) var files: [String]
    @Option(help: "The attachments field, when the type has more than one.") var field: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one FILE to attach") }
    }

    func run() async throws {
        let desktop = try global.open()
        let typeName = TypeName.resolve(type, in: try desktop.editor().package)
        for file in files {
            let ref = try desktop.attach(type: typeName, id: id, file: file, field: field)
            print(ref.sha256.prefix(8))
            Console().note("Attached \(FieldText.attachments([ref])); it goes to the server with the next sync.")
        }
    }
}

/// `crm-desktop open-attachment ID [--to PATH]`: writes an attachment's file where the user wants it.
struct OpenAttachmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-attachment",
        abstract: "Write an attachment to a file (brought from the server first when this desktop lacks it).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The attachment's id, as `show` prints it (6 or more hex digits).") var id: String
    @Option(help: ArgumentHelp("The file or folder to write it to.", valueName: "PATH")) var to = "."
    @Flag(help: "Replace the file if it exists.") var force = false

    func run() async throws {
        let desktop = try global.open()
        let opened = try await desktop.openAttachment(id, to: to, overwrite: force)
        print(opened.path)
        Console().note(
            "Wrote \(opened.attachment.name) (\(FieldText.size(opened.attachment.size)))"
                + (opened.downloaded ? ", brought from the server." : "."))
    }
}
