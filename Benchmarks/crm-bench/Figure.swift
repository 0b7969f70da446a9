import Foundation

/// One measured figure of a scenario, with the target it is held to and, where one was measured in the same
/// run, the limit or peer it is compared with.
struct Figure: Sendable, Codable {
    /// Which way a figure is good.
    enum Better: String, Sendable, Codable {
        case lower, higher
    }

    var scenario: String
    var name: String
    var value: Double
    var unit: String
    var better: Better = .lower
    /// The target (in `unit`), when one exists.
    var target: Double?
    /// A limit or peer measured in the same run: its name and value in `unit`.
    var reference: (name: String, value: Double)?
    /// The most `ratio` may be.
    var ratioTarget: Double?
    /// The command that reproduces the figure.
    var command: String

    enum CodingKeys: String, CodingKey {
        case scenario, name, value, unit, better, target, referenceName, referenceValue, ratio, ratioTarget, met,
            command
    }

    init(
        _ scenario: String, _ name: String, _ value: Double, _ unit: String, better: Better = .lower,
        target: Double? = nil, reference: (name: String, value: Double)? = nil, ratioTarget: Double? = nil,
        command: String
    ) {
        self.scenario = scenario
        self.name = name
        self.value = value
        self.unit = unit
        self.better = better
        self.target = target
        self.reference = reference
        self.ratioTarget = ratioTarget
        self.command = command
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try container.decode(String.self, forKey: .scenario)
        name = try container.decode(String.self, forKey: .name)
        value = try container.decode(Double.self, forKey: .value)
        unit = try container.decode(String.self, forKey: .unit)
        better = try container.decode(Better.self, forKey: .better)
        target = try container.decodeIfPresent(Double.self, forKey: .target)
        if let name = try container.decodeIfPresent(String.self, forKey: .referenceName),
            let value = try container.decodeIfPresent(Double.self, forKey: .referenceValue)
        {
            reference = (name, value)
        }
        ratioTarget = try container.decodeIfPresent(Double.self, forKey: .ratioTarget)
        command = try container.decode(String.self, forKey: .command)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(name, forKey: .name)
        try container.encode(value, forKey: .value)
        try container.encode(unit, forKey: .unit)
        try container.encode(better, forKey: .better)
        try container.encodeIfPresent(target, forKey: .target)
        try container.encodeIfPresent(reference?.name, forKey: .referenceName)
        try container.encodeIfPresent(reference?.value, forKey: .referenceValue)
        try container.encodeIfPresent(ratio, forKey: .ratio)
        try container.encodeIfPresent(ratioTarget, forKey: .ratioTarget)
        try container.encodeIfPresent(met, forKey: .met)
        try container.encode(command, forKey: .command)
    }

    /// The figure against its reference: `value / reference` for a figure where lower is better,
    /// `reference / value` where higher is better; so a ratio under 1 is always better than the reference.
    var ratio: Double? {
        guard let reference, reference.value > 0, value > 0 else { return nil }
        return better == .lower ? value / reference.value : reference.value / value
    }

    /// Whether the figure meets its target and its ratio target (nil: it has neither).
    var met: Bool? {
        var checks: [Bool] = []
        if let target { checks.append(better == .lower ? value <= target : value >= target) }
        if let ratioTarget, let ratio { checks.append(ratio <= ratioTarget) }
        return checks.isEmpty ? nil : checks.allSatisfy { $0 }
    }

    /// One line for the terminal.
    var line: String {
        var text = "\(scenario) · \(name): \(Self.format(value)) \(unit)"
        if let target { text += " (target \(better == .lower ? "≤" : "≥") \(Self.format(target)))" }
        if let reference, let ratio {
            text += "; \(reference.name) \(Self.format(reference.value)) \(unit), ratio \(Self.format(ratio))"
            if let ratioTarget { text += " (target ≤ \(Self.format(ratioTarget)))" }
        }
        if let met { text += met ? "  ✓" : "  ✗ missed" }
        return text
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        if abs(value) >= 100 { return String(format: "%.0f", value) }
        if abs(value) >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }
}

/// The figures of one run, printed as they come and written as JSON and as a Markdown table.
final class Report: @unchecked Sendable {
    // Appended to from the scenarios, which run one after another.
    private(set) var figures: [Figure] = []
    private let lock = NSLock()

    func add(_ figure: Figure) {
        lock.withLock { figures.append(figure) }
        FileHandle.standardOutput.write(Data((figure.line + "\n").utf8))
    }

    /// The Markdown table of docs/PERFORMANCE.md.
    func markdown() -> String {
        var lines = [
            "| scenario | figure | measured | target | reference in the same run | ratio | met | reproduce |",
            "|---|---|---:|---:|---|---:|:-:|---|",
        ]
        for figure in lock.withLock({ figures }) {
            let target = figure.target.map { "\(figure.better == .lower ? "≤" : "≥") \(Figure.format($0)) \(figure.unit)" } ?? ""
            let reference = figure.reference.map { "\($0.name): \(Figure.format($0.value)) \(figure.unit)" } ?? ""
            var ratio = figure.ratio.map { Figure.format($0) } ?? ""
            if let ratioTarget = figure.ratioTarget, !ratio.isEmpty {
                ratio += " (≤ \(Figure.format(ratioTarget)))"
            }
            let met = figure.met.map { $0 ? "yes" : "**no**" } ?? ""
            lines.append(
                "| \(figure.scenario) | \(figure.name) | \(Figure.format(figure.value)) \(figure.unit) | \(target) | "
                    + "\(reference) | \(ratio) | \(met) | `\(figure.command)` |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(lock.withLock { figures }).write(to: URL(fileURLWithPath: path))
    }
}
