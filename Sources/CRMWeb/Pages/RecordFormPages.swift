import CRMModel
import CRMServer
import CRMSyncProtocol
import Foundation
import Hummingbird

/// Create, edit and delete forms of `RecordForm`, written through RecordService: the same validation, reference
/// and duplicate checks as the API. A refused form comes back (422, 409) with each error beside its field and
/// everything the user typed kept.
struct RecordFormPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices
    /// The most records a reference field's select offers; a record further down is typed in by id.
    static let choiceLimit = 200

    func add(to signedIn: RouterGroup<CRMRequestContext>) {
        signedIn.get("/records/:type/new") { request, context in
            let caller = try context.requireCaller()
            let form = try RecordForm(typeName: try context.parameters.require("type"), package: caller.package)
            return try await render(form, request, caller, texts: [:], issues: [], message: nil, record: nil)
        }
        signedIn.post("/records/:type") { request, context in
            let caller = try context.requireCaller()
            let form = try RecordForm(typeName: try context.parameters.require("type"), package: caller.package)
            let body = try await FormBody.read(request)
            let (fields, issues) = form.changes(body, current: [:])
            do {
                guard issues.isEmpty else {
                    throw Self.refusal(issues, caller, form.typeName, changes: fields, merged: [:])
                }
                let record = try await services.records.create(
                    caller, typeName: form.typeName, write: RecordWrite(fields: fields))
                return PageRenderer.redirect("/records/\(form.typeName)/\(record.id)")
            } catch let error as CRMError {
                return try await refused(error, form, request, caller, body, record: nil)
            }
        }
        signedIn.get("/records/:type/:id/edit") { request, context in
            let caller = try context.requireCaller()
            let form = try RecordForm(typeName: try context.parameters.require("type"), package: caller.package)
            let record = try await services.records.read(
                caller, typeName: form.typeName, id: try context.parameters.require("id"))
            return try await render(
                form, request, caller, texts: RecordForm.texts(record.fields), issues: [], message: nil, record: record)
        }
        signedIn.post("/records/:type/:id") { request, context in
            let caller = try context.requireCaller()
            let form = try RecordForm(typeName: try context.parameters.require("type"), package: caller.package)
            let record = try await services.records.read(
                caller, typeName: form.typeName, id: try context.parameters.require("id"))
            let body = try await FormBody.read(request)
            let (fields, issues) = form.changes(body, current: record.fields)
            do {
                guard issues.isEmpty else {
                    throw Self.refusal(issues, caller, form.typeName, changes: fields, merged: record.fields)
                }
                if !fields.isEmpty {
                    _ = try await services.records.update(
                        caller, typeName: form.typeName, id: record.id, write: RecordWrite(fields: fields),
                        expectedVersion: body["version"].flatMap(Int.init))
                }
                return PageRenderer.redirect("/records/\(form.typeName)/\(record.id)")
            } catch let error as CRMError {
                return try await refused(error, form, request, caller, body, record: record)
            }
        }
        signedIn.post("/records/:type/:id/delete") { _, context in
            let caller = try context.requireCaller()
            let typeName = try context.parameters.require("type")
            _ = try await services.records.delete(
                caller, typeName: typeName, id: try context.parameters.require("id"), expectedVersion: nil)
            return PageRenderer.redirect("/records/\(typeName)")
        }
    }

    /// Texts that are no value of their kind, with what the package's validation says of the rest, as the API
    /// would have answered them all at once.
    static func refusal(
        _ issues: [FieldIssue], _ caller: Caller, _ typeName: String, changes: [String: FieldValue],
        merged: [String: FieldValue]
    ) -> CRMError {
        var all = issues
        let bad = Set(issues.map(\.field))
        if case .failure(let failure) = caller.validator.check(typeName: typeName, changes: changes, merged: merged) {
            all += failure.issues.filter { !bad.contains($0.field) }
        }
        return CRMError.validation(all)
    }

    private func refused(
        _ error: CRMError, _ form: RecordForm, _ request: Request, _ caller: Caller, _ body: FormBody, record: Record?
    ) async throws -> Response {
        var texts: [String: [String]] = [:]
        for name in form.editableFields { texts[name] = body.all(name) }
        if let record { texts = RecordForm.texts(record.fields).merging(texts) { $1 } }
        switch error.kind {
        case .validation(let issues):
            return try await render(
                form, request, caller, texts: texts, issues: issues, message: nil, record: record,
                status: CRMError.status(error.kind))
        case .staleVersion(let current):
            return try await render(
                form, request, caller, texts: texts, issues: [],
                message: "Someone changed this record since you opened it (now version \(current.version)). "
                    + "Check the values and save again to keep yours.", record: current, status: .conflict)
        case .notFound, .forbidden, .unauthorized:
            throw error
        default:
            let issues = error.field.map { [FieldIssue(field: $0, code: .rule, message: error.message)] } ?? []
            let known = issues.allSatisfy { texts[$0.field] != nil }
            return try await render(
                form, request, caller, texts: texts, issues: known ? issues : [],
                message: known ? nil : error.message, record: record, status: CRMError.status(error.kind))
        }
    }

    private func render(
        _ form: RecordForm, _ request: Request, _ caller: Caller, texts: [String: [String]], issues: [FieldIssue],
        message: String?, record: Record?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var byField: [String: String] = [:]
        for issue in issues {
            byField[issue.field] = byField[issue.field].map { $0 + "; " + issue.message } ?? issue.message
        }
        let placed = Set(form.editableFields).union(form.type.fields.keys)
        let unplaced = issues.filter { !placed.contains($0.field) }.map(\.description)
        let choices = try await referenceChoices(form, caller, texts: texts)
        var values: [String: Any] = [
            "typeName": form.typeName, "typeLabel": form.type.label,
            "sections": form.sections(texts: texts, issues: byField, choices: choices),
            "action": record.map { "/records/\(form.typeName)/\($0.id)" } ?? "/records/\(form.typeName)",
            "hasErrors": !issues.isEmpty || message != nil, "fieldErrors": !issues.isEmpty,
            "messages": (message.map { [$0] } ?? []) + unplaced,
        ]
        if let record {
            values["editing"] = true
            values["version"] = record.version
            values["id"] = record.id
            values["recordTitle"] = PageContext.title(of: record, in: caller.package)
        }
        let title = record == nil ? "New \(form.type.label)" : "Edit \(form.type.label)"
        return pages.page("form", PageContext.make(caller, request, title: title, values), status: status)
    }

    /// The records each reference field may point to, from the caller's visible records of its target types,
    /// with the records the inputs already name.
    private func referenceChoices(_ form: RecordForm, _ caller: Caller, texts: [String: [String]]) async throws
        -> [String: [(id: String, title: String)]]
    {
        var choices: [String: [(id: String, title: String)]] = [:]
        for name in form.editableFields {
            guard let field = form.type.fields[name], field.kind.isReference,
                let targets = field.target, !targets.contains("any")
            else { continue }
            var options: [(id: String, title: String)] = []
            for target in targets where caller.package.types[target] != nil {
                let page = try await services.records.list(
                    caller, typeName: target, parameters: [("limit", String(Self.choiceLimit))])
                options += page.records.map { ($0.id, PageContext.title(of: $0, in: caller.package)) }
            }
            let known = Set(options.map(\.id))
            for id in texts[name] ?? [] where !id.isEmpty && !known.contains(id) { options.append((id, id)) }
            choices[name] = options.sorted { $0.title.localizedCaseInsensitiveCompare($1.title) == .orderedAscending }
        }
        return choices
    }
}
