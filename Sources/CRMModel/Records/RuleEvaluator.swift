import Foundation

/// Evaluates the package's record-level rules and field conditions against a record's fields.
public enum RuleEvaluator {
    /// Whether `rule` holds for `fields`. A rule about an empty field holds (required-ness is checked apart).
    public static func holds(_ rule: ValidationRule, fields: [String: FieldValue]) -> Bool {
        switch rule.kind {
        case .notBefore:
            guard let other = rule.other, let value = fields[rule.field]?.stringValue,
                let start = fields[other]?.stringValue
            else { return true }
            guard let end = instant(value), let begin = instant(start) else { return true }
            return end >= begin
        case .requiredWhen:
            guard let condition = rule.when, matches(condition, fields: fields) else { return true }
            return !RecordValidator.isEmpty(fields[rule.field])
        case .pattern:
            guard let pattern = rule.pattern, let text = fields[rule.field]?.stringValue else { return true }
            return text.range(of: pattern, options: .regularExpression) != nil
        }
    }

    /// Whether a field condition holds: its value is one of `in`, or it is present or empty as asked.
    public static func matches(_ condition: FieldCondition, fields: [String: FieldValue]) -> Bool {
        let value = fields[condition.field]
        if let present = condition.present, present == RecordValidator.isEmpty(value) { return false }
        if let values = condition.in {
            let text: String? =
                switch value {
                case .string(let text): text
                case .bool(let flag): flag ? "true" : "false"
                case .number(let number): "\(number)"
                default: nil
                }
            guard let text, values.contains(text) else { return false }
        }
        return true
    }

    /// A date or datetime as an instant; a date counts from its start in UTC.
    private static func instant(_ text: String) -> Date? {
        if let date = Timestamp.date(from: text) { return date }
        guard let day = CalendarDate(text) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (day.year, day.month, day.day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }
}
