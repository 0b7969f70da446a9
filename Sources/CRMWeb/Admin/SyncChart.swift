import CRMModel
import CRMStore
import Foundation

/// The sync monitor's numbers over a window of days: sessions, sessions with errors and conflicts per hour, and
/// the slowest sessions; and the hourly numbers as an SVG bar chart drawn on the server (no script, no library).
struct SyncActivity: Sendable {
    struct Hour: Sendable {
        var start: Date
        var sessions = 0
        var errors = 0
        var conflicts = 0
    }

    let hours: [Hour]
    let slowest: [SyncSessionRow]
    let totals: (sessions: Int, errors: Int, conflicts: Int)

    /// Buckets `rows` into the hours from `since` to `now`.
    init(_ rows: [SyncSessionRow], since: Date, now: Date, slowestCount: Int = 10) {
        let first = (since.timeIntervalSince1970 / 3600).rounded(.down) * 3600
        let count = max(1, Int(((now.timeIntervalSince1970 - first) / 3600).rounded(.up)))
        var hours = (0..<count).map { Hour(start: Date(timeIntervalSince1970: first + Double($0) * 3600)) }
        for row in rows {
            let index = Int((row.startedAt.timeIntervalSince1970 - first) / 3600)
            guard hours.indices.contains(index) else { continue }
            hours[index].sessions += 1
            if !row.errors.isEmpty { hours[index].errors += 1 }
            hours[index].conflicts += row.counts.conflicts
        }
        self.hours = hours
        slowest = rows.filter { $0.endedAt != nil }
            .sorted { $0.endedAt!.timeIntervalSince($0.startedAt) > $1.endedAt!.timeIntervalSince($1.startedAt) }
            .prefix(slowestCount).map { $0 }
        totals = (rows.count, rows.filter { !$0.errors.isEmpty }.count, rows.reduce(0) { $0 + $1.counts.conflicts })
    }

    /// The chart: one group per hour with a bar for sessions, errors and conflicts, a day line at each midnight
    /// (UTC), and a `<title>` per bar and for the whole so that a screen reader can tell what it shows. Only
    /// numbers and dates go into the markup.
    func svg() -> String {
        let barWidth = 3.0
        let gap = 1.0
        let groupWidth = barWidth * 3 + gap * 2
        let height = 160.0
        let top = 10.0
        let bottom = 24.0
        let left = 30.0
        let peak = max(1, hours.map { max($0.sessions, $0.errors, $0.conflicts) }.max() ?? 1)
        let width = left + Double(hours.count) * groupWidth + 10
        let scale = (height - top - bottom) / Double(peak)
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "MMM d"
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-labelledby="chart-title" class="chart" preserveAspectRatio="xMinYMin meet">
            <title id="chart-title">Sync sessions (blue), sessions with errors (red) and conflicts (orange) per hour, \
            \(totals.sessions) sessions in all</title>
            <line x1="\(left)" y1="\(height - bottom)" x2="\(Int(width))" y2="\(height - bottom)" class="axis"/>
            <text x="2" y="\(top + 8)" class="label">\(peak)</text>
            <text x="2" y="\(height - bottom)" class="label">0</text>

            """
        for (index, hour) in hours.enumerated() {
            let x = left + Double(index) * groupWidth
            if Int(hour.start.timeIntervalSince1970) % 86_400 == 0 {
                svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(height - bottom)\" class=\"day\"/>"
                svg +=
                    "<text x=\"\(x + 2)\" y=\"\(height - 8)\" class=\"label\">\(day.string(from: hour.start))</text>\n"
            }
            for (offset, (value, kind)) in [
                (hour.sessions, "sessions"), (hour.errors, "errors"), (hour.conflicts, "conflicts"),
            ]
            .enumerated() where value > 0 {
                let barHeight = Double(value) * scale
                svg +=
                    "<rect x=\"\(x + Double(offset) * (barWidth + gap))\" y=\"\(height - bottom - barHeight)\" "
                    + "width=\"\(barWidth)\" height=\"\(barHeight)\" class=\"\(kind)\"><title>"
                    + "\(Timestamp.string(from: hour.start)): \(value) \(kind)</title></rect>\n"
            }
        }
        return svg + "</svg>"
    }
}
