import ArgumentParser
import CRMModel
import CRMServer
import CRMStore
import Foundation

/// `crm-server export TYPE`: every record of a type the user sees, as CSV that `import` reads back unchanged.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the records of a type as CSV (id, the form's fields, owner, team), for import or a "
            + "spreadsheet.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The record type, as the package names it (Account, Contact, ...).") var type: String
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "FILE")) var to: String?
    @Option(help: ArgumentHelp(
        "Export what this user sees, in their role's fields (default: the first enabled administrator by name).",
        valueName: "NAME"))
    var user: String?

    func run() async throws {
        let database = try await store.open()
        _ = try await store.ensurePackage(database)
        let output: FileHandle
        do {
            let caller = try await Caller.command(user: user, store: database)
            _ = try CSVExport.fields(caller, typeName: type)
            if let to {
                guard FileManager.default.createFile(atPath: to, contents: nil),
                    let file = FileHandle(forWritingAtPath: to)
                else { throw CRMError(.malformed, "\(to) cannot be written") }
                output = file
            } else {
                output = FileHandle.standardOutput
            }
            let count = try await CSVExport(store: database).run(caller, typeName: type) { text in
                try output.write(contentsOf: Data(text.utf8))
            }
            if let to {
                try output.close()
                print("exported \(count) \(type) records to \(to)")
            }
        } catch let error as CRMError {
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}
