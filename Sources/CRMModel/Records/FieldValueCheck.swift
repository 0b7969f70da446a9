import Foundation

/// Checks one value against its field's kind and constraints, and puts it in canonical form.
struct FieldValueCheck {
    let field: FieldDefinition
    let lists: [String: [String]]

    struct Issue: Error {
        let code: FieldIssue.Code
        let message: String
    }

    func normalize(_ value: FieldValue) -> Result<FieldValue, Issue> {
        if value.isNull { return .success(.null) }
        switch field.kind {
        case .text:
            guard let text = value.stringValue else { return wrong(value, "text") }
            if let maxLength = field.maxLength, text.count > maxLength {
                return .failure(Issue(code: .tooLong, message: "at most \(maxLength) characters"))
            }
            return .success(value)
        case .number, .currency:
            guard let number = value.decimalValue else { return wrong(value, "a number") }
            if let min = field.min, number < min { return .failure(Issue(code: .outOfRange, message: "at least \(min)")) }
            if let max = field.max, number > max { return .failure(Issue(code: .outOfRange, message: "at most \(max)")) }
            if let scale = field.scale, Self.fractionDigits(number) > scale {
                return .failure(Issue(code: .badFormat, message: "at most \(scale) digits after the decimal point"))
            }
            return .success(value)
        case .boolean:
            return value.boolValue == nil ? wrong(value, "true or false") : .success(value)
        case .date:
            guard let text = value.stringValue else { return wrong(value, "a date (YYYY-MM-DD)") }
            return CalendarDate(text) == nil
                ? .failure(Issue(code: .badFormat, message: "'\(text)' is not a date (YYYY-MM-DD)")) : .success(value)
        case .datetime:
            guard let text = value.stringValue else { return wrong(value, "an RFC 3339 date-time") }
            return Timestamp.date(from: text) == nil
                ? .failure(Issue(code: .badFormat, message: "'\(text)' is not an RFC 3339 date-time with offset"))
                : .success(value)
        case .picklist:
            guard let text = value.stringValue else { return wrong(value, "text") }
            let values = field.list.flatMap { lists[$0] } ?? []
            return values.contains(text)
                ? .success(value)
                : .failure(Issue(code: .notInList, message: "'\(text)' is not one of: \(values.joined(separator: ", "))"))
        case .reference:
            guard let text = value.stringValue else { return wrong(value, "a record id") }
            guard let id = RecordID.canonical(text) else {
                return .failure(Issue(code: .badFormat, message: "'\(text)' is not a record id"))
            }
            return .success(.string(id))
        case .references:
            guard let texts = value.stringArray else { return wrong(value, "a list of record ids") }
            var ids = Set<String>()
            for text in texts {
                guard let id = RecordID.canonical(text) else {
                    return .failure(Issue(code: .badFormat, message: "'\(text)' is not a record id"))
                }
                ids.insert(id)
            }
            return .success(.array(ids.sorted().map(FieldValue.string)))
        case .email:
            guard let text = value.stringValue else { return wrong(value, "an email address") }
            let pattern = #"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+$"#
            return text.range(of: pattern, options: .regularExpression) == nil
                ? .failure(Issue(code: .badFormat, message: "'\(text)' is not an email address")) : .success(value)
        case .phone:
            guard let text = value.stringValue else { return wrong(value, "a phone number") }
            let allowed = CharacterSet(charactersIn: "0123456789+-()./ extEXT")
            let digits = text.filter(\.isNumber).count
            return text.unicodeScalars.allSatisfy(allowed.contains) && digits >= 3 && text.count <= 40
                ? .success(value) : .failure(Issue(code: .badFormat, message: "'\(text)' is not a phone number"))
        case .url:
            guard let text = value.stringValue else { return wrong(value, "a web address") }
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme), url.host?.isEmpty == false
            else {
                return .failure(Issue(code: .badFormat, message: "'\(text)' is not an http or https address"))
            }
            return .success(value)
        }
    }

    private func wrong(_ value: FieldValue, _ expected: String) -> Result<FieldValue, Issue> {
        .failure(Issue(code: .wrongKind, message: "expected \(expected), found \(value.shapeName)"))
    }

    static func fractionDigits(_ number: Decimal) -> Int {
        var value = number
        var rounded = Decimal()
        for digits in 0...38 {
            NSDecimalRound(&rounded, &value, digits, .plain)
            if rounded == number { return digits }
        }
        return 38
    }
}

/// A calendar date `YYYY-MM-DD`, compared as written.
struct CalendarDate: Comparable {
    let year: Int, month: Int, day: Int

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1
        else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
