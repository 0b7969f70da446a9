import CRMModel
import CRMTesting
import Foundation

/// The probes naming another user's record or conflict by its id: pages, forms and form posts.
extension WebHostileProbe {
    /// Detail page, edit form, update and delete of every hidden record and conflict; resolving every hidden
    /// conflict.
    mutating func records(as user: String) async throws {
        let probe = self
        for record in world.hidden(from: user) {
            let type = record.type
            let what = "\(type) of \(record.owner)"
            let unknown = Self.unknownRecord()
            try await compare(user, "detail \(type)", hidden: record.id, unknown: unknown, what: what) {
                try await probe.get(user, "/records/\(type)/\($0)")
            }
            try await compare(user, "edit form \(type)", hidden: record.id, unknown: unknown, what: what) {
                try await probe.get(user, "/records/\(type)/\($0)/edit")
            }
            let change = ["name", "lastName", "subject", "title", "body"].map { ($0, "mine now") }
            try await compare(user, "update \(type)", hidden: record.id, unknown: unknown, what: what) {
                try await probe.post(user, "/records/\(type)/\($0)", change + [("version", String(record.version))])
            }
            try await compare(user, "delete \(type)", hidden: record.id, unknown: unknown, what: what) {
                try await probe.post(user, "/records/\(type)/\($0)/delete", [])
            }
            guard type == ConflictRecord.typeName else { continue }
            for choice in ["client", "server"] {
                try await compare(user, "resolve \(choice)", hidden: record.id, unknown: unknown, what: what) {
                    try await probe.post(user, "/conflicts/\($0)/resolve", [("choose", choice)])
                }
            }
        }
    }

    /// Forms whose reference fields name hidden records: a new note about one, a new contact at a hidden
    /// account, a new activity with a hidden contact, the contact list filtered on a hidden account, the user's own
    /// contact moved to a hidden account.
    mutating func links(as user: String) async throws {
        let probe = self
        let ownID = world.holdings[user]!.contact.id
        let own = world.records[ownID]!
        // The own contact's form as the edit page sends it: every field it holds, and the version read.
        let ownFields = own.fields.sorted { $0.key < $1.key }.filter { $0.key != "accountId" }
            .compactMap { pair in pair.value.stringValue.map { (pair.key, $0) } }
        for record in world.hidden(from: user) where record.type != ConflictRecord.typeName {
            let what = "\(record.type) of \(record.owner)"
            let unknown = Self.unknownRecord()
            try await compare(user, "note about \(record.type)", hidden: record.id, unknown: unknown, what: what) {
                try await probe.post(user, "/records/Note", [("title", "x"), ("body", "x"), ("parentId", $0)])
            }
            switch record.type {
            case "Account":
                try await compare(user, "contact at", hidden: record.id, unknown: unknown, what: what) {
                    try await probe.post(user, "/records/Contact", [("lastName", "x"), ("accountId", $0)])
                }
                try await compare(user, "contacts filtered on", hidden: record.id, unknown: unknown, what: what) {
                    try await probe.get(user, "/records/Contact?field=accountId&q=\($0)")
                }
                try await compare(user, "move own contact", hidden: record.id, unknown: unknown, what: what) {
                    try await probe.post(
                        user, "/records/Contact/\(ownID)",
                        ownFields + [("accountId", $0), ("version", String(own.version))])
                }
            case "Contact":
                try await compare(user, "activity with", hidden: record.id, unknown: unknown, what: what) {
                    try await probe.post(
                        user, "/records/Activity", [("subject", "x"), ("display", "email"), ("contactIds", $0)])
                }
            default: break
            }
        }
    }

    /// CSV import rows naming a hidden record by its id answer as rows naming a record the caller sees of
    /// another type ("no TYPE you can see has the id"), changing nothing.
    mutating func imports(as user: String) async throws {
        let probe = self
        let holdings = world.holdings[user]!
        let names = [
            "Account": "name", "Contact": "lastName", "Opportunity": "name", "ServiceRequest": "title",
            "Activity": "subject", "Note": "body",
        ]
        for record in world.hidden(from: user) {
            guard let field = names[record.type] else { continue }
            let seen = record.type == "Activity" ? holdings.contact.id : holdings.activity
            try await compare(
                user, "import \(record.type)", hidden: record.id, unknown: seen,
                what: "\(record.type) of \(record.owner)"
            ) {
                try await probe.post(
                    user, "/records/\(record.type)/import",
                    [("file", "id,\(field)\r\n\($0),mine now\r\n"), ("duplicates", "update")])
            }
        }
    }
}
