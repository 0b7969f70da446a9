extension ScheduleInstaller {
    /// The accepted forms of an interval, for messages.
    static let intervalForms = "seconds (900 or 900s), minutes (15m) or hours (1h), from 1 minute to 24 hours"

    /// Seconds from `--every`: `900`, `900s`, `15m` or `1h`, from 60 to 86400.
    public static func parseInterval(_ text: String) throws -> Int {
        var digits = Substring(text.filter { !$0.isWhitespace }.lowercased())
        var unit = 1
        if let last = digits.last, let seconds = ["s": 1, "m": 60, "h": 3600][String(last)] {
            digits = digits.dropLast()
            unit = seconds
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits) else {
            throw DesktopError(
                .invalidInput, "\"\(text)\" is not an interval: use \(intervalForms).", field: "--every")
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow, intervalRange.contains(seconds) else {
            throw DesktopError(
                .invalidInput, "\"\(text)\" is out of range: use \(intervalForms).", field: "--every")
        }
        return seconds
    }
}
