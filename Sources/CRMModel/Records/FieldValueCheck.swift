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
        case .attachments:
            return normalizeAttachments(value)
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

    /// A list of `{sha256, name, mediaType, size}` objects within the field's size and type limits; the same
    /// content under the same name is listed once.
    private func normalizeAttachments(_ value: FieldValue) -> Result<FieldValue, Issue> {
        guard case .array(let entries) = value else { return wrong(value, "a list of attachments") }
        var refs: [AttachmentRef] = []
        for (index, entry) in entries.enumerated() {
            let position = "attachment \(index + 1)"
            guard case .object(let parts) = entry else {
                return .failure(Issue(code: .wrongKind, message: "\(position): expected an object, found \(entry.shapeName)"))
            }
            guard let sha = parts["sha256"]?.stringValue?.lowercased(), AttachmentRef.isDigest(sha) else {
                return .failure(Issue(code: .badFormat, message: "\(position): 'sha256' must be 64 hex digits"))
            }
            guard let name = parts["name"]?.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty,
                name.count <= 255, !name.contains("/"), !name.contains("\0")
            else {
                return .failure(Issue(code: .badFormat, message: "\(position): 'name' must be a file name (1 to 255 characters, no '/')"))
            }
            let mediaType = (parts["mediaType"]?.stringValue ?? "application/octet-stream").lowercased()
            guard mediaType.range(of: #"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$"#, options: .regularExpression) != nil else {
                return .failure(Issue(code: .badFormat, message: "\(position): '\(mediaType)' is not a media type"))
            }
            guard let size = parts["size"]?.decimalValue, size >= 0, Self.fractionDigits(size) == 0 else {
                return .failure(Issue(code: .badFormat, message: "\(position): 'size' must be a whole number of bytes"))
            }
            let bytes = NSDecimalNumber(decimal: size).intValue
            if bytes > field.fileSizeLimit {
                return .failure(
                    Issue(code: .outOfRange, message: "\(name) is \(bytes) bytes; files are limited to \(field.fileSizeLimit) bytes"))
            }
            if !field.allowsFileType(mediaType) {
                let allowed = (field.fileTypes ?? []).joined(separator: ", ")
                return .failure(Issue(code: .notInList, message: "\(name): files of type \(mediaType) are not allowed (allowed: \(allowed))"))
            }
            let ref = AttachmentRef(sha256: sha, name: name, mediaType: mediaType, size: bytes)
            if !refs.contains(where: { $0.sha256 == sha && $0.name == name }) { refs.append(ref) }
        }
        return .success(AttachmentRef.value(refs))
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
