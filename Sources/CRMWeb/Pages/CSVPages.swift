import CRMModel
import CRMServer
import Foundation
import Hummingbird

/// CSV import and export of a type's records in the browser, on the same `CSVImport` and `CSVExport` as
/// `crm-server import`/`export` and the API: `/records/{type}/import` (a file, the duplicate choice, a dry run,
/// column mappings; the report lists every rejected row by line, field and reason while good rows load) and
/// `/records/{type}/export.csv` (every record of the type the user sees, re-importable unchanged).
struct CSVPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices

    func add(to signedIn: RouterGroup<CRMRequestContext>) {
        signedIn.get("/records/:type/import") { request, context in
            let caller = try context.requireCaller()
            let typeName = try Self.type(context, caller)
            return pages.page("import", try values(caller, request, typeName, form: nil))
        }
        signedIn.post("/records/:type/import") { request, context in
            let caller = try context.requireCaller()
            let typeName = try Self.type(context, caller)
            let form = try await FormBody.read(request)
            let text = form["file"] ?? ""
            var options = CSVImport.Options()
            options.dryRun = form["dryRun"] == "on"
            options.duplicates = CSVDuplicateChoice(rawValue: form["duplicates"] ?? "") ?? .skip
            var problems: [String] = []
            for line in (form["map"] ?? "").split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
                if let (column, field) = CSVImport.mapping(line.trimmingCharacters(in: .whitespaces)) {
                    options.map[column] = field
                } else {
                    problems.append("'\(line)' is not COLUMN=FIELD")
                }
            }
            if text.isEmpty { problems.append("choose a CSV file; its first line names the columns") }
            guard problems.isEmpty else {
                return pages.page(
                    "import", try values(caller, request, typeName, form: form, problems: problems),
                    status: .unprocessableContent)
            }
            do {
                let report = try await CSVImport(store: services.store, signal: services.signal).run(
                    caller, typeName: typeName, stream: InputStream(data: Data(text.utf8)), options: options)
                var shown = try values(caller, request, typeName, form: form)
                shown["report"] = Self.report(report)
                return pages.page("import", shown)
            } catch let error as CSVImportError {
                return pages.page(
                    "import", try values(caller, request, typeName, form: form, problems: ["\(error)"]),
                    status: .unprocessableContent)
            }
        }
        signedIn.get("/records/:type/export.csv") { _, context in
            let caller = try context.requireCaller()
            return try CSVExport(store: services.store).response(caller, typeName: try Self.type(context, caller))
        }
    }

    /// The type the path names, if the user's role has it (404 like an unknown one otherwise).
    private static func type(_ context: CRMRequestContext, _ caller: Caller) throws -> String {
        let typeName = try context.parameters.require("type")
        guard caller.package.types[typeName] != nil else { throw CRMError.notFound("record type '\(typeName)'") }
        return typeName
    }

    private func values(
        _ caller: Caller, _ request: Request, _ typeName: String, form: FormBody?, problems: [String] = []
    ) throws -> [String: Any] {
        let type = caller.package.types[typeName]
        let label = type?.plural ?? type?.label ?? typeName
        let chosen = form?["duplicates"] ?? CSVDuplicateChoice.skip.rawValue
        let choices: [(CSVDuplicateChoice, String)] = [
            (.skip, "Skip the row"), (.link, "Keep the existing record and report it"),
            (.update, "Update the existing record with the row"),
        ]
        return PageContext.make(
            caller, request, title: "Import \(label)",
            [
                "typeName": typeName, "typeLabel": label,
                "columns": try CSVExport.fields(caller, typeName: typeName).joined(separator: ", "),
                "duplicateChoices": choices.map { choice, text in
                    ["value": choice.rawValue, "label": text, "checked": choice.rawValue == chosen] as [String: Any]
                },
                "dryRun": form?["dryRun"] == "on", "map": form?["map"] ?? "",
                "problems": problems, "hasProblems": !problems.isEmpty,
            ])
    }

    /// The report as the page shows it: counts, then each rejected and matched row by line.
    private static func report(_ report: CSVImportReport) -> [String: Any] {
        [
            "dryRun": report.dryRun, "rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "skipped": report.skipped, "linked": report.linked,
            "rejectedRows": report.rejectedRows,
            "rejected": report.rejected.map { row in
                ["line": row.line, "field": row.field ?? "", "reason": row.reason] as [String: Any]
            },
            "hasRejected": !report.rejected.isEmpty,
            "matched": report.matched.map { row in
                ["line": row.line, "existing": row.existing, "fields": row.fields.joined(separator: ", "),
                 "outcome": row.outcome] as [String: Any]
            },
            "hasMatched": !report.matched.isEmpty,
        ]
    }
}
