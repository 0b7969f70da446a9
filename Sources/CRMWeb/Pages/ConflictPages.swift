import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import Foundation
import Hummingbird

/// `/conflicts`: the user's conflicts (as either author), the server's value beside the device's, with a button
/// for each side; resolving goes through ConflictService like the API's resolve.
struct ConflictPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices

    func add(to signedIn: RouterGroup<CRMRequestContext>) {
        signedIn.get("/conflicts") { request, context in
            let caller = try context.requireCaller()
            let status = request.uri.queryParameters["status"].map(String.init) ?? "open"
            let page = try await services.conflicts.list(
                caller, status: status == "all" ? nil : status, limit: 100, cursor: nil)
            let targets = page.records.compactMap { $0.fields["recordId"]?.stringValue }
            let found = targets.isEmpty ? [] : try await services.store.records(ids: targets)
            let visible = Dictionary(
                found.filter { !$0.deleted && caller.canSee($0) }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let rows = page.records.map { conflict -> [String: Any] in
                let fields = conflict.fields
                let recordID = fields["recordId"]?.stringValue ?? ""
                let record = visible[recordID]
                var row: [String: Any] = [
                    "id": conflict.id, "kind": fields["kind"]?.stringValue ?? "field",
                    "field": fields["field"]?.stringValue ?? "", "rule": fields["rule"]?.stringValue ?? "",
                    "serverValue": FieldText.display(fields["serverValue"] ?? .null),
                    "clientValue": FieldText.display(fields["clientValue"] ?? .null),
                    "serverAuthor": fields["serverAuthor"]?.stringValue ?? "",
                    "clientAuthor": fields["clientAuthor"]?.stringValue ?? "",
                    "open": fields["status"]?.stringValue == "open",
                    "status": fields["status"]?.stringValue ?? "",
                    "recordTitle": record.map { PageContext.title(of: $0, in: caller.package) } ?? recordID,
                    "createdAt": Timestamp.string(from: conflict.createdAt),
                ]
                if let record { row["recordHref"] = "/records/\(record.type)/\(record.id)" }
                return row
            }
            return pages.page(
                "conflicts",
                PageContext.make(
                    caller, request, title: "Conflicts",
                    [
                        "conflicts": rows, "empty": rows.isEmpty, "showingOpen": status == "open",
                    ]))
        }
        signedIn.post("/conflicts/:id/resolve") { request, context in
            let caller = try context.requireCaller()
            let form = try await FormBody.read(request)
            guard let choice = form["choose"].flatMap(ConflictResolution.Choice.init(rawValue:)), choice != .value
            else {
                throw CRMError(.malformed, "choose the server's value or the device's", field: "choose")
            }
            _ = try await services.conflicts.resolve(
                caller, id: try context.parameters.require("id"), ConflictResolution(choose: choice))
            return PageRenderer.redirect("/conflicts")
        }
    }
}

/// `/receipts`: the sync log rows of the user's own devices, newest first.
struct ReceiptPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices

    func add(to signedIn: RouterGroup<CRMRequestContext>) {
        signedIn.get("/receipts") { request, context in
            let caller = try context.requireCaller()
            let entries = try await services.sync.log(
                caller, query: SyncSessionQuery(user: caller.user.name, limit: 200))
            return pages.page(
                "receipts",
                PageContext.make(
                    caller, request, title: "Sync receipts",
                    [
                        "sessions": entries.map(SyncLogRow.values), "empty": entries.isEmpty,
                    ]))
        }
    }
}

/// One row of a sync log table (receipts and the admin's log).
enum SyncLogRow {
    static func values(_ entry: SyncLogEntry) -> [String: Any] {
        let seconds = entry.endedAt.map { $0.timeIntervalSince(entry.startedAt) }
        return [
            "session": entry.session, "user": entry.user, "device": entry.device,
            "startedAt": Timestamp.string(from: entry.startedAt),
            "endedAt": entry.endedAt.map(Timestamp.string(from:)) ?? "not ended",
            "duration": seconds.map { String(format: "%.1f s", $0) } ?? "",
            "pulled": entry.counts.pulled, "pushed": entry.counts.pushed, "conflicts": entry.counts.conflicts,
            "rejected": entry.counts.rejected, "errors": entry.errors.joined(separator: "; "),
            "outcome": !entry.errors.isEmpty ? "errors" : (entry.endedAt == nil ? "open" : "ok"),
        ]
    }
}
