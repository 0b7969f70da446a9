import ArgumentParser
import CRMModel
import CRMServer
import CRMStore
import Foundation

/// `crm-server import TYPE FILE.csv`: loads records from a CSV file through the rules of the API, reporting
/// each rejected row. Exit status 0 when every row loaded, 1 when some were rejected, 2 when the file (or the
/// command) could not be imported at all.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load records of a type from a CSV file (UTF-8, header line naming the fields).",
        discussion: """
            Columns are named by field name or label (any case), or id, owner and team. A row with an id updates \
            that record (or creates it with that id when none has it). Exit status: 0 every row loaded, 1 some \
            rows rejected (each printed as 'line N, field F: reason'), 2 the file could not be imported.
            """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "The record type, as the package names it (Account, Contact, ...).") var type: String
    @Argument(help: "The CSV file (UTF-8 with or without a byte order mark; - for standard input).") var file: String
    @Option(name: .customLong("map"), help: ArgumentHelp(
        "Fill FIELD from the column named COLUMN (repeatable); 'COLUMN=' skips the column.",
        valueName: "COLUMN=FIELD"))
    var mappings: [String] = []
    @Flag(help: "Check every row and report, but write nothing.") var dryRun = false
    @Option(help: ArgumentHelp(
        "What to do with a row that matches an existing record by the package's duplicate rules or global keys: "
            + "skip it, link it (report the existing record), or update the existing record with the row's values.",
        valueName: "skip|link|update"))
    var duplicates = "skip"
    @Option(help: ArgumentHelp(
        "Act as this user: their role decides the fields and the records they see, and they own the records "
            + "created without an owner column (default: the first enabled administrator by name).",
        valueName: "NAME"))
    var user: String?
    @Option(help: "The report as text or json.") var format = "text"

    func validate() throws {
        guard CSVDuplicateChoice(rawValue: duplicates) != nil else {
            throw ValidationError("--duplicates is skip, link or update (got '\(duplicates)')")
        }
        for mapping in mappings where CSVImport.mapping(mapping) == nil {
            throw ValidationError("--map is COLUMN=FIELD (got '\(mapping)')")
        }
        guard format == "text" || format == "json" else { throw ValidationError("--format is text or json") }
    }

    func run() async throws {
        let report: CSVImportReport
        do {
            let stream = try Self.stream(file)
            let database = try await store.open()
            _ = try await store.ensurePackage(database)
            let caller = try await Caller.command(user: user, store: database)
            var options = CSVImport.Options(
                duplicates: CSVDuplicateChoice(rawValue: duplicates) ?? .skip, dryRun: dryRun)
            for mapping in mappings {
                if let (column, field) = CSVImport.mapping(mapping) { options.map[column] = field }
            }
            report = try await CSVImport(store: database).run(caller, typeName: type, stream: stream, options: options)
            // The text index learns the imported records now, not in the first search a user makes.
            _ = try await database.refreshSearchIndex()
        } catch let error as CSVImportError {
            Self.fail("\(file): \(error)")
        } catch let error as CRMError {
            Self.fail(error.message)
        }
        if format == "json" {
            print(String(decoding: try CRMJSON.encoder().encode(report), as: UTF8.self))
        } else {
            Self.printReport(report, type: type)
        }
        if report.rejectedRows > 0 { throw ExitCode(1) }
    }

    /// The file to read, or standard input for `-`.
    static func stream(_ file: String) throws -> InputStream {
        if file == "-" { return InputStream(data: FileHandle.standardInput.readDataToEndOfFile()) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isReadableFile(atPath: file), let stream = InputStream(fileAtPath: file)
        else { throw CSVImportError(.unreadable, "the file cannot be read (missing, a folder, or not permitted)") }
        return stream
    }

    static func printReport(_ report: CSVImportReport, type: String) {
        for row in report.matched {
            let fields = row.fields.joined(separator: " and ")
            print("line \(row.line): \(row.outcome), the same \(fields) as \(row.existing)")
        }
        for row in report.rejected { print(row.description) }
        var summary = "\(type): \(report.rows) rows: \(report.created) created, \(report.updated) updated, "
            + "\(report.unchanged) unchanged, \(report.skipped) skipped, \(report.linked) linked, "
            + "\(report.rejectedRows) rejected"
        if report.dryRun { summary += " (dry run: nothing was written)" }
        print(summary)
    }

    /// Prints `message` to standard error and exits with status 2.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
