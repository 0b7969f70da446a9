import CRMModel
import CRMServer
import Foundation
import Hummingbird

extension RecordPages {
    /// `/records/{type}?find=WORDS`: the records of the type the user sees that hold every word (the last also
    /// as the start of a word), best match first, through the same ranked search as `GET /api/v1/search/{type}`
    /// and `crm-desktop search --online`; in the list's columns, 25 to a page.
    func found(_ request: Request, _ context: CRMRequestContext, words: String) async throws -> Response {
        let caller = try context.requireCaller()
        let typeName = try context.parameters.require("type")
        guard let type = caller.package.types[typeName] else { throw CRMError.notFound("record type '\(typeName)'") }
        var parameters: [(String, String)] = [("q", words), ("limit", String(Self.pageSize))]
        if let cursor = request.uri.queryParameters["cursor"], !cursor.isEmpty { parameters.append(("cursor", String(cursor))) }
        let results = try await services.records.search(caller, typeName: typeName, parameters: parameters)
        // Hits carry the form's list fields: shown as records, so references read as their titles.
        let records = results.results.map { hit in
            Record(
                id: hit.id, type: typeName, version: hit.version, owner: hit.owner, createdAt: hit.updatedAt,
                updatedAt: hit.updatedAt, updatedBy: hit.owner, fields: hit.fields)
        }
        let titles = try await ReferenceTitles.load(records, caller: caller, store: services.store)
        let columns = Self.columns(typeName, caller.package).filter { $0 != "createdAt" }
        let rows = zip(results.results, records).map { hit, record -> [String: Any] in
            [
                "href": "/records/\(typeName)/\(hit.id)", "title": hit.title,
                "cells": columns.map { field in
                    ["text": Self.systemText(field, record) ?? titles.text(record.fields[field], kind: type.fields[field]?.kind)]
                },
            ]
        }
        var values: [String: Any] = [
            "typeName": typeName, "typeLabel": type.plural ?? type.label, "rows": rows, "empty": rows.isEmpty,
            "headers": columns.map { ["label": Self.systemLabels[$0] ?? PageContext.label($0, type), "plain": true] },
            "find": words, "finding": true, "searchFields": [] as [Any], "canCreate": true,
        ]
        if let next = results.nextCursor {
            values["nextHref"] = Self.findLink(typeName, words: words, cursor: next)
        }
        if request.uri.queryParameters["cursor"] != nil { values["firstHref"] = Self.findLink(typeName, words: words) }
        return pages.page("list", PageContext.make(caller, request, title: type.plural ?? type.label, values))
    }

    static func findLink(_ type: String, words: String, cursor: String? = nil) -> String {
        var components = URLComponents()
        components.path = "/records/\(type)"
        components.queryItems = [URLQueryItem(name: "find", value: words)]
            + (cursor.map { [URLQueryItem(name: "cursor", value: $0)] } ?? [])
        return components.string ?? "/records/\(type)"
    }
}
