import ArgumentParser
import Foundation

/// First-sync time against record count beside the raw-insert limit, as an SVG chart for docs/PERFORMANCE.md.
struct CurveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve", abstract: "First syncs at several sizes, drawn beside the raw-insert limit (SVG).")
    @Option(parsing: .upToNextOption, help: "Record counts.") var records: [Int] = [10_000, 100_000, 1_000_000]
    @Option(help: ArgumentHelp("Where the chart goes.", valueName: "FILE")) var svg = "first-sync.svg"
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            var points: [SyncCurve.Point] = []
            for count in records.sorted() {
                let outcome = try FirstSync.run(records: count, report: report)
                points.append(SyncCurve.Point(records: count, seconds: outcome.seconds, limit: outcome.limit))
            }
            try SyncCurve(points: points).svg().write(toFile: svg, atomically: true, encoding: .utf8)
            print("chart written to \(svg)")
        }
    }
}

/// The chart: log-scaled record counts across, log-scaled seconds up, one line for the sync, one for the limit,
/// and the target (50,000 records per second) dashed.
struct SyncCurve {
    struct Point {
        var records: Int
        var seconds: Double
        var limit: Double
    }

    var points: [Point]
    let width = 640.0
    let height = 400.0
    let margin = (left: 70.0, right: 170.0, top: 30.0, bottom: 50.0)

    func svg() -> String {
        let counts = points.map { Double($0.records) }
        let times = points.flatMap { [$0.seconds, $0.limit, Double($0.records) / 50_000] }
        let xRange = (log10(counts.min() ?? 1), log10(max(counts.max() ?? 10, (counts.min() ?? 1) * 10)))
        let yRange = (floor(log10(times.min() ?? 0.01)), ceil(log10(times.max() ?? 1)))
        func x(_ value: Double) -> Double {
            margin.left + (log10(value) - xRange.0) / max(xRange.1 - xRange.0, 1e-9) * (width - margin.left - margin.right)
        }
        func y(_ value: Double) -> Double {
            height - margin.bottom - (log10(max(value, 1e-6)) - yRange.0) / max(yRange.1 - yRange.0, 1e-9)
                * (height - margin.top - margin.bottom)
        }
        func line(_ values: [Double], _ color: String, dashed: Bool = false) -> String {
            let path = zip(counts, values).map { "\(fmt(x($0))),\(fmt(y($1)))" }.joined(separator: " ")
            let dots = zip(counts, values).map { "<circle cx=\"\(fmt(x($0)))\" cy=\"\(fmt(y($1)))\" r=\"3.5\" fill=\"\(color)\"/>" }
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"/>"
                + (dashed ? "" : dots.joined())
        }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(fmt(margin.left))\" y=\"18\" font-size=\"14\">First sync to a fresh replica (seconds, log scale)</text>",
        ]
        for exponent in stride(from: yRange.0, through: yRange.1, by: 1) {
            let value = pow(10, exponent)
            parts.append("<line x1=\"\(fmt(margin.left))\" x2=\"\(fmt(width - margin.right))\" y1=\"\(fmt(y(value)))\" y2=\"\(fmt(y(value)))\" stroke=\"#ddd\"/>")
            parts.append("<text x=\"\(fmt(margin.left - 8))\" y=\"\(fmt(y(value) + 4))\" text-anchor=\"end\">\(Figure.format(value)) s</text>")
        }
        for count in counts {
            parts.append("<text x=\"\(fmt(x(count)))\" y=\"\(fmt(height - margin.bottom + 18))\" text-anchor=\"middle\">\(Int(count).grouped)</text>")
        }
        parts.append("<text x=\"\(fmt((margin.left + width - margin.right) / 2))\" y=\"\(fmt(height - 12))\" text-anchor=\"middle\">records</text>")
        let series = [
            ("first sync, end to end", points.map(\.seconds), "#1f6feb", false),
            ("raw insert limit", points.map(\.limit), "#2da44e", false),
            ("target: 50,000 records/s", counts.map { $0 / 50_000 }, "#cf222e", true),
        ]
        for (index, (name, values, color, dashed)) in series.enumerated() {
            parts.append(line(values, color, dashed: dashed))
            let legendY = margin.top + 20 + Double(index) * 20
            parts.append("<line x1=\"\(fmt(width - margin.right + 12))\" x2=\"\(fmt(width - margin.right + 32))\" y1=\"\(fmt(legendY - 4))\" y2=\"\(fmt(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>")
            parts.append("<text x=\"\(fmt(width - margin.right + 38))\" y=\"\(fmt(legendY))\">\(name)</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
