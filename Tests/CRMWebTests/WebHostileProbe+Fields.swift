import CRMModel
import CRMTesting
import Foundation
import Testing

@testable import CRMWeb

extension WebHostileProbe {
    /// The fields a role hides (a service agent's `Account.annualRevenue`, `Activity.opportunityId`) appear on
    /// no page of that role's users: not as a column, input, label, search choice or CSV column, on the lists,
    /// the new, edit and import forms, the CSV export, and the detail page of every record holding a value in
    /// one; a list filtered or sorted on a hidden field answers as one on a field the type does not have. Returns
    /// how many records holding a hidden value were looked at.
    @discardableResult
    mutating func hiddenFields(as user: String) async throws -> Int {
        let package = try DefaultPackage.load()
        guard let role = world.users.first(where: { $0.name == user })?.role,
            let hidden = package.roles?[role]?.hiddenFields
        else { return 0 }
        var holding = 0
        for (typeName, fields) in hidden.sorted(by: { $0.key < $1.key }) {
            guard let type = package.types[typeName] else { continue }
            var pages = try await allPages(user, "/records/\(typeName)").map { ("the \(typeName) list", $0) }
            for path in ["new", "import", "export.csv"] {
                pages.append(("/records/\(typeName)/\(path)", try await get(user, "/records/\(typeName)/\(path)")))
            }
            let shown = world.records.values.filter { record in
                record.type == typeName && !record.deleted && world.maySee(user, record)
                    && fields.contains { record.fields[$0] != nil && record.fields[$0] != .null }
            }
            holding += shown.count
            for record in shown.sorted(by: { $0.id < $1.id }) {
                for path in ["/records/\(typeName)/\(record.id)", "/records/\(typeName)/\(record.id)/edit"] {
                    pages.append((path, try await get(user, path)))
                }
            }
            // A list filtered or sorted on a hidden field answers as one on a field the type does not have.
            for field in fields {
                let other = String(repeating: "z", count: field.count)
                let value = shown.compactMap { $0.fields[field].map(FieldText.display) }.first ?? "1"
                let q = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "1"
                let probe = self
                try await compare(user, "filter on hidden \(typeName)", hidden: field, unknown: other, what: field) {
                    try await probe.get(user, "/records/\(typeName)?field=\($0)&q=\(q)")
                }
                for order in ["", "-"] {
                    let kind = "sort\(order) on hidden \(typeName)"
                    try await compare(user, kind, hidden: field, unknown: other, what: field) {
                        try await probe.get(user, "/records/\(typeName)?sort=\(order)\($0)")
                    }
                }
            }
            for (what, page) in pages {
                count += 1
                for field in fields {
                    let label = type.fields[field]?.label ?? field
                    let csvHeader = page.html.prefix { $0 != "\r\n" }.split(separator: ",").map(String.init)
                    let marks = [
                        #"name="\#(field)""#, #"value="\#(field)""#, #"id="field-\#(field)""#,
                        ">\(label)<", ">\(field)<",
                    ]
                    if marks.contains(where: { page.html.contains($0) }) || csvHeader.contains(field) {
                        leaks.append("\(what) shows \(user) the field \(typeName).\(field) their role hides")
                    }
                }
            }
        }
        return holding
    }
}
