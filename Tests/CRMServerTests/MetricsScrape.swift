import CRMTesting
import Foundation

/// One scrape of `GET /metrics`, read as Prometheus text: the value of a series by name and labels.
struct MetricsScrape {
    /// Each sample line: name, labels and value.
    let samples: [(name: String, labels: [String: String], value: Double)]

    init(_ text: String) {
        var samples: [(String, [String: String], Double)] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            let series = line[..<space]
            var labels: [String: String] = [:]
            var name = String(series)
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = String(series[..<open])
                let inner = series[series.index(after: open)..<series.index(before: series.endIndex)]
                for pair in inner.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            samples.append((name, labels, value))
        }
        self.samples = samples
    }

    /// The sum of the series named `name` that carry every label of `labels` (0 when there is none).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    /// Whether any series is named `name`.
    func has(_ name: String) -> Bool { samples.contains { $0.name == name } }

    /// Scrapes `api`'s server.
    static func scrape(_ api: TestAPI, token: String? = nil) async throws -> MetricsScrape {
        let reply = try await api.send(.get, "/metrics", token: token)
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return MetricsScrape(reply.text)
    }
}
