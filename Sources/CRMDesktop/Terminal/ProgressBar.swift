#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One line of progress for a terminal (bar, count, rate, time left), redrawn in place on standard error, so a long
/// first sync shows that it is moving without flooding the screen or a log.
///
/// Redraws are throttled to `redrawInterval`; call `update(done:)` as often as you like and `finish()` once.
/// Whether to show a bar at all (standard error a terminal, not `--format json`) is the caller's choice.
public struct ProgressBar: Sendable {
    /// The least time between two redraws, in seconds: at most 10 a second.
    public static let redrawInterval = 0.1

    /// The word in front of the line ("Syncing").
    public let label: String
    /// What is counted ("records").
    public let unit: String
    /// How many there are in all, when known; set it when it becomes known.
    public var total: Int?
    /// How many are done so far.
    public private(set) var done = 0

    private let width: Int
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Double
    private let start: Double
    private var lastDraw: Double?
    private var finished = false

    /// A bar that has drawn nothing yet.
    /// - Parameters:
    ///   - width: the line's room in columns; by default the terminal's width on standard error, else `COLUMNS`,
    ///     else 80.
    ///   - write: where the text goes; by default standard error.
    ///   - now: a monotonic clock in seconds; by default the system's.
    public init(
        label: String = "Syncing", total: Int?, unit: String = "records", width: Int? = nil,
        write: (@Sendable (String) -> Void)? = nil, now: (@Sendable () -> Double)? = nil
    ) {
        self.label = label
        self.total = total
        self.unit = unit
        self.width = width ?? Self.terminalColumns()
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
        self.now = now ?? Self.monotonicSeconds
        self.start = self.now()
    }

    /// Records that `done` are done and redraws when the last redraw is at least `redrawInterval` old.
    public mutating func update(done: Int) {
        guard !finished else { return }
        self.done = done
        let time = now()
        if let lastDraw, time - lastDraw < Self.redrawInterval { return }
        draw(at: time)
    }

    /// Draws the final state and ends the line; later updates are ignored.
    public mutating func finish() {
        guard !finished else { return }
        draw(at: now())
        write("\n")
        finished = true
    }

    private mutating func draw(at time: Double) {
        lastDraw = time
        let line = Self.render(done: done, total: total, elapsed: time - start, width: width, label: label, unit: unit)
        write("\r\(line)\u{1B}[K")
    }

    /// The progress line for `done` of `total` (nil: unknown) after `elapsed` seconds, in fewer than `width` columns.
    ///
    /// With a known total: `Syncing  [#######...........]  4,520 / 11,000 records   3,950/s   0:02 left`; the bar
    /// takes the room left (10 to 40 columns) and is dropped when there is too little. With an unknown total:
    /// `Syncing  4,520 records   3,950/s`.
    public static func render(
        done: Int, total: Int?, elapsed: Double, width: Int, label: String = "Syncing", unit: String = "records"
    ) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let rateText = "\(grouped(Int(rate.rounded())))/s"
        guard let total else {
            return fitted("\(label)  \(grouped(done)) \(unit)   \(rateText)", width: width)
        }
        let remaining = max(0, total - done)
        let left: String
        if remaining == 0 {
            left = duration(0)
        } else if rate > 0 {
            left = duration((Double(remaining) / rate).rounded(.up))
        } else {
            left = "-:--"
        }
        let tail = "\(grouped(done)) / \(grouped(total)) \(unit)   \(rateText)   \(left) left"
        let barWidth = min(40, width - 1 - (label.count + 2 + 2 + 2 + tail.count))
        guard barWidth >= 10 else { return fitted("\(label)  \(tail)", width: width) }
        let fraction = total > 0 ? Double(min(max(done, 0), total)) / Double(total) : 1
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        return "\(label)  [\(bar)]  \(tail)"
    }

    /// `value` with a comma between groups of three digits ("11,000"), the same in every locale.
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-\(text)" : text
    }

    /// Whole seconds as `m:ss`, or `h:mm:ss` from an hour.
    static func duration(_ seconds: Double) -> String {
        let total = Int(min(max(seconds, 0), 359_999))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    /// `line` cut to fewer than `width` characters, so "\r" can still return to its start.
    private static func fitted(_ line: String, width: Int) -> String {
        line.count < width ? line : String(line.prefix(max(0, width - 1)))
    }

    /// The columns of the terminal on standard error, else `COLUMNS`, else 80.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        return 80
    }

    /// Seconds on the system's monotonic clock.
    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
