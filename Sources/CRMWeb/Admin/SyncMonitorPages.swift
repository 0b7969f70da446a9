import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import Foundation
import Hummingbird

/// `/admin/sync`: the synchronization monitor. The chart and the slowest sessions cover the last `days` (7 by
/// default); below, the sync log filtered by user, device, outcome and dates, read from the store's log.
struct SyncMonitorPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices
    /// The most sessions the chart reads; past it the chart says it is cut.
    static let chartLimit = 50_000
    static let logLimit = 200

    func add(to admin: RouterGroup<CRMRequestContext>) {
        admin.get("/sync") { request, context in
            let caller = try context.requireCaller()
            let query = request.uri.queryParameters
            let now = Timestamp.now()
            let days = query["days"].flatMap { Int($0) }.map { min(max($0, 1), 90) } ?? 7
            let since = now.addingTimeInterval(-Double(days) * 86_400)
            let rows = try await services.store.syncSessions(SyncSessionQuery(since: since, limit: Self.chartLimit))
            let activity = SyncActivity(rows, since: since, now: now)

            let user = query["user"].map(String.init) ?? ""
            let device = query["device"].map(String.init) ?? ""
            let outcome = query["outcome"].map(String.init) ?? ""
            let from = query["from"].map(String.init) ?? ""
            let to = query["to"].map(String.init) ?? ""
            var log = SyncSessionQuery(
                user: user.isEmpty ? nil : user, device: device.isEmpty ? nil : device, withErrors: outcome == "errors",
                limit: Self.logLimit)
            var issues: [String: String] = [:]
            if !from.isEmpty {
                if let date = Self.day(from) {
                    log.since = date
                } else {
                    issues["from"] = "'\(from)' is not a date (YYYY-MM-DD)"
                }
            }
            if !to.isEmpty {
                if let date = Self.day(to) {
                    log.until = date.addingTimeInterval(86_400)
                } else {
                    issues["to"] = "'\(to)' is not a date (YYYY-MM-DD)"
                }
            }
            var entries = try await services.sync.log(caller, query: log)
            if outcome == "ok" { entries = entries.filter { $0.errors.isEmpty && $0.endedAt != nil } }
            var values: [String: Any] = [
                "days": days, "chart": activity.svg(), "totalSessions": activity.totals.sessions,
                "totalErrors": activity.totals.errors, "totalConflicts": activity.totals.conflicts,
                "cut": rows.count >= Self.chartLimit,
                "slowest": activity.slowest.map {
                    SyncLogRow.values(
                        SyncLogEntry(
                            session: $0.id, user: $0.user, device: $0.device, startedAt: $0.startedAt,
                            endedAt: $0.endedAt,
                            counts: $0.counts, clientCounts: $0.clientCounts, errors: $0.errors))
                },
                "sessions": entries.map(SyncLogRow.values), "empty": entries.isEmpty,
                "filterUser": user, "filterDevice": device, "filterFrom": from, "filterTo": to,
                "outcomes": [("", "any"), ("ok", "ended without errors"), ("errors", "with errors")].map {
                    ["value": $0.0, "label": $0.1, "selected": $0.0 == outcome] as [String: Any]
                },
            ]
            for (field, message) in issues { values["error_" + field] = message }
            return pages.page(
                "admin-sync", PageContext.make(caller, request, title: "Synchronization", values),
                status: issues.isEmpty ? .ok : .badRequest)
        }
    }

    static func day(_ text: String) -> Date? {
        guard text.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil else { return nil }
        return Timestamp.date(from: text + "T00:00:00Z")
    }
}
