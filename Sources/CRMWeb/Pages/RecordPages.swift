import CRMModel
import CRMServer
import CRMStore
import Foundation
import Hummingbird

/// The user's records: `/home`, a list per type (`/records/{type}`: the form's list columns, a search by field,
/// sorting and paging) and a detail page (`/records/{type}/{id}`: the form's sections and related records). All
/// reads go through RecordService, so a record outside the user's visibility is a 404 like an unknown id.
struct RecordPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices
    static let pageSize = 25

    func add(to signedIn: RouterGroup<CRMRequestContext>) {
        signedIn.get("/home") { request, context in
            let caller = try context.requireCaller()
            return pages.page("home", PageContext.make(caller, request, title: "CRM"))
        }
        signedIn.get("/records/:type") { request, context in
            try await list(request, context)
        }
        signedIn.get("/records/:type/:id") { request, context in
            try await detail(request, context)
        }
    }

    private func list(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let typeName = try context.parameters.require("type")
        guard let type = caller.package.types[typeName] else { throw CRMError.notFound("record type '\(typeName)'") }
        let query = request.uri.queryParameters
        if let words = query["find"].map(String.init), !words.allSatisfy(\.isWhitespace) {
            return try await found(request, context, words: words)
        }
        let columns = Self.columns(typeName, caller.package)
        let sort = query["sort"].map(String.init) ?? ""
        var parameters: [(String, String)] = [("limit", String(Self.pageSize))]
        if !sort.isEmpty { parameters.append(("sort", sort)) }
        if let cursor = query["cursor"], !cursor.isEmpty { parameters.append(("cursor", String(cursor))) }
        let searchField = query["field"].map(String.init) ?? ""
        let searchText = query["q"].map(String.init) ?? ""
        if !searchField.isEmpty, !searchText.isEmpty { parameters.append((searchField, searchText)) }
        let page = try await services.records.list(caller, typeName: typeName, parameters: parameters)
        let titles = try await ReferenceTitles.load(page.records, caller: caller, store: services.store)
        let rows = page.records.map { record -> [String: Any] in
            [
                "href": "/records/\(typeName)/\(record.id)",
                "title": PageContext.title(of: record, in: caller.package),
                "cells": columns.map { field in
                    [
                        "text": Self.systemText(field, record)
                            ?? titles.text(record.fields[field], kind: type.fields[field]?.kind)
                    ]
                },
            ]
        }
        let headers = columns.map { field -> [String: Any] in
            let ascending = sort == field
            return [
                "label": Self.systemLabels[field] ?? PageContext.label(field, type),
                "href": Self.listLink(
                    typeName, sort: ascending ? "-" + field : field, field: searchField, q: searchText),
                "sorted": ascending ? "ascending" : (sort == "-" + field ? "descending" : "none"),
            ]
        }
        // The list's columns first (the first is what a user most often looks for), then the other fields.
        let searchOrder = columns + type.fields.keys.sorted().filter { !columns.contains($0) }
        let searchable = searchOrder.filter { type.fields[$0] != nil && type.fields[$0]?.kind != .attachments }.map {
            ["name": $0, "label": PageContext.label($0, type), "selected": $0 == searchField] as [String: Any]
        }
        var values: [String: Any] = [
            "typeName": typeName, "typeLabel": type.plural ?? type.label, "headers": headers, "rows": rows,
            "empty": rows.isEmpty, "searchFields": searchable, "q": searchText,
            "canCreate": true,
        ]
        if let next = page.nextCursor {
            values["nextHref"] = Self.listLink(typeName, sort: sort, field: searchField, q: searchText, cursor: next)
        }
        if query["cursor"] != nil {
            values["firstHref"] = Self.listLink(typeName, sort: sort, field: searchField, q: searchText)
        }
        return pages.page("list", PageContext.make(caller, request, title: type.plural ?? type.label, values))
    }

    private func detail(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let typeName = try context.parameters.require("type")
        let id = try context.parameters.require("id")
        let record = try await services.records.read(caller, typeName: typeName, id: id)
        guard let type = caller.package.types[typeName] else { throw CRMError.notFound("record type '\(typeName)'") }
        let titles = try await ReferenceTitles.load([record], caller: caller, store: services.store)
        let sections = Self.sections(typeName, caller.package).map { section -> [String: Any] in
            [
                "label": section.label,
                "fields": section.fields.map { field -> [String: Any] in
                    let kind = type.fields[field]?.kind
                    return [
                        "label": PageContext.label(field, type), "text": titles.text(record.fields[field], kind: kind),
                        "links": titles.links(record.fields[field], kind: kind),
                    ]
                },
            ]
        }
        let related = try await RelatedRecords.find(record, caller: caller, records: services.records)
        let values: [String: Any] = [
            "typeName": typeName, "typeLabel": type.label,
            "recordTitle": PageContext.title(of: record, in: caller.package),
            "id": record.id, "version": record.version, "owner": record.owner, "sections": sections,
            "related": related, "hasRelated": !related.isEmpty,
            "updatedAt": Timestamp.string(from: record.updatedAt), "updatedBy": record.updatedBy,
        ]
        return pages.page(
            "detail",
            PageContext.make(caller, request, title: PageContext.title(of: record, in: caller.package), values))
    }

    /// The record properties a form's list may name beside fields, with their column labels.
    static let systemLabels = ["owner": "Owner", "createdAt": "Created", "updatedAt": "Changed"]

    static func systemText(_ name: String, _ record: Record) -> String? {
        switch name {
        case "owner": record.owner
        case "createdAt": Timestamp.string(from: record.createdAt)
        case "updatedAt": Timestamp.string(from: record.updatedAt)
        default: nil
        }
    }

    /// The form's list columns (fields the role sees, and owner or times), else the type's first fields.
    static func columns(_ typeName: String, _ package: CustomizationPackage) -> [String] {
        let type = package.types[typeName]
        let listed = package.forms?[typeName]?.list.filter { type?.fields[$0] != nil || systemLabels[$0] != nil } ?? []
        return listed.isEmpty ? Array((type?.fields.keys.sorted() ?? []).prefix(5)) : listed
    }

    /// The form's sections (only fields the role sees), else one section of every field.
    static func sections(_ typeName: String, _ package: CustomizationPackage) -> [FormSection] {
        guard let type = package.types[typeName] else { return [] }
        let sections = (package.forms?[typeName]?.sections ?? []).map {
            FormSection(label: $0.label, fields: $0.fields.filter { type.fields[$0] != nil })
        }.filter { !$0.fields.isEmpty }
        let shown = Set(sections.flatMap(\.fields))
        let rest = type.fields.keys.sorted().filter { !shown.contains($0) && type.fields[$0]?.kind != .attachments }
        if sections.isEmpty { return [FormSection(label: type.label, fields: rest)] }
        return rest.isEmpty ? sections : sections + [FormSection(label: "More", fields: rest)]
    }

    static func listLink(_ type: String, sort: String, field: String, q: String, cursor: String? = nil) -> String {
        var items: [URLQueryItem] = []
        if !sort.isEmpty { items.append(URLQueryItem(name: "sort", value: sort)) }
        if !field.isEmpty, !q.isEmpty {
            items += [URLQueryItem(name: "field", value: field), URLQueryItem(name: "q", value: q)]
        }
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        var components = URLComponents()
        components.path = "/records/\(type)"
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? "/records/\(type)"
    }
}
