import Foundation

/// Reads JSON text by hand, value by value, over bytes the caller keeps alive: stores read `fields` back from
/// their JSON text and desktops read pull pages on every record of a sync, where Foundation's decoder costs
/// about ten microseconds per field (DESIGN section 7). It reads what `JSONDecoder` reads into the CRM's types:
/// numbers as `Decimal`, strings with every escape, nested arrays and objects.
public struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read.
    public private(set) var index: Int
    /// How many arrays and objects `readValue` is inside.
    private var depth = 0

    /// How deep `readValue` lets arrays and objects nest, as Foundation's decoder does: deeper text is refused
    /// instead of overflowing the stack (a page from a broken or hostile server must not crash the desktop).
    public static let maxDepth = 512

    /// A reader of `bytes` from the start; valid only while `bytes` is.
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.index = 0
    }

    /// Runs `body` with a reader of `text`'s UTF-8.
    public static func reading<T>(_ text: String, _ body: (inout JSONReader) throws -> T) throws -> T {
        var text = text
        return try text.withUTF8 { buffer in
            var reader = JSONReader(buffer)
            return try body(&reader)
        }
    }

    /// Runs `body` with a reader of `bytes`.
    public static func reading<T>(_ bytes: [UInt8], _ body: (inout JSONReader) throws -> T) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            return try body(&reader)
        }
    }

    // MARK: - Whole values

    /// `text` as an object of field values (a record's `fields`).
    public static func fields(_ text: String) throws -> [String: FieldValue] {
        try reading(text) { reader in
            guard case .object(let fields) = try reader.readValue() else { throw reader.error("an object") }
            try reader.expectEnd()
            return fields
        }
    }

    /// The next value, whatever its shape.
    public mutating func readValue() throws -> FieldValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try enterContainer()
            defer { depth -= 1 }
            var object: [String: FieldValue] = [:]
            try readObject { key, reader in
                let value = try reader.readValue()
                // A repeated key keeps its first value, as Foundation's decoder does.
                if object.index(forKey: key) == nil { object[key] = value }
            }
            return .object(object)
        case UInt8(ascii: "["):
            try enterContainer()
            defer { depth -= 1 }
            var values: [FieldValue] = []
            try readArray { reader in values.append(try reader.readValue()) }
            return .array(values)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try readBool())
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return .number(try readDecimal())
        }
    }

    private mutating func enterContainer() throws {
        guard depth < Self.maxDepth else { throw error("at most \(Self.maxDepth) levels of nested arrays and objects") }
        depth += 1
    }

    /// Reads a `null` if one comes next and says so; otherwise reads nothing.
    public mutating func readNull() -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "n"), (try? literal("null")) != nil else { return false }
        return true
    }

    /// Fails unless only whitespace is left.
    public mutating func expectEnd() throws {
        skipWhitespace()
        if index != bytes.count { throw error("the end of the text") }
    }

    // MARK: - Containers

    /// Reads an object, calling `body` with each key and the reader positioned at its value, which `body` must
    /// read or skip.
    public mutating func readObject(_ body: (String, inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            try body(key, &self)
            skipWhitespace()
            guard index < bytes.count else { throw error("',' or '}'") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "}") { return }
            if byte != UInt8(ascii: ",") { throw error("',' or '}'", at: index - 1) }
        }
    }

    /// Reads an array, calling `body` with the reader positioned at each element, which `body` must read or skip.
    public mutating func readArray(_ body: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try body(&self)
            skipWhitespace()
            guard index < bytes.count else { throw error("',' or ']'") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "]") { return }
            if byte != UInt8(ascii: ",") { throw error("',' or ']'", at: index - 1) }
        }
    }

    /// Skips the next value and returns the offsets it spans (to copy it as it is).
    @discardableResult
    public mutating func skipValue() throws -> Range<Int> {
        skipWhitespace()
        let start = index
        guard index < bytes.count else { throw error("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer()
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberRange()
        }
        return start..<index
    }

    /// The bytes of `range` as text.
    public func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    // MARK: - Scalars

    public mutating func readBool() throws -> Bool {
        skipWhitespace()
        if peek() == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    /// A whole number (versions, sequence numbers, milliseconds).
    public mutating func readInt() throws -> Int64 {
        skipWhitespace()
        let range = try numberRange()
        var value: Int64 = 0
        var negative = false
        for offset in range {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw error("a whole number", at: offset) }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if overflow || overflow2 { throw error("a whole number that fits 64 bits", at: range.lowerBound) }
            value = sum
        }
        return negative ? -value : value
    }

    /// A number as a `Decimal`, exact for amounts: whole numbers of up to 17 digits directly, others through
    /// `Decimal(string:)`, which reads the fraction and exponent in base ten.
    public mutating func readDecimal() throws -> Decimal {
        skipWhitespace()
        let range = try numberRange()
        var value: Int64 = 0
        var negative = false
        var simple = range.count <= 18
        if simple {
            for offset in range {
                let byte = bytes[offset]
                if byte == UInt8(ascii: "-") {
                    negative = true
                } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                } else {
                    simple = false
                    break
                }
            }
        }
        if simple { return Decimal(negative ? -value : value) }
        guard let decimal = Decimal(string: text(range), locale: Locale(identifier: "en_US_POSIX")) else {
            throw error("a number", at: range.lowerBound)
        }
        return decimal
    }

    /// A string, with its escapes resolved.
    public mutating func readString() throws -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("no control character in a string") }
            index += 1
        }
        // Escapes: the plain start, then byte by byte.
        var output = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"): try readEscape(into: &output)
            case 0..<0x20: throw error("no control character in a string", at: index - 1)
            default: output.append(byte)
            }
        }
        throw error("the end of a string")
    }

    private mutating func readEscape(into output: inout [UInt8]) throws {
        guard index < bytes.count else { throw error("an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try readHex4())
            if scalar >= 0xD800, scalar < 0xDC00 {
                // A high surrogate takes the low one that must follow.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("a low surrogate after a high one") }
                index += 2
                let low = UInt32(try readHex4())
                guard low >= 0xDC00, low < 0xE000 else { throw error("a low surrogate after a high one") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00, scalar < 0xE000 {
                throw error("a high surrogate before a low one")
            }
            output.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default: throw error("a valid escape", at: index - 1)
        }
    }

    private mutating func readHex4() throws -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("four hexadecimal digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a hexadecimal digit")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// Skips an object or array byte by byte, matching brackets and stepping over strings, without reading
    /// keys or values: the desktop keeps each record's text whole and reads only its top-level keys.
    private mutating func skipContainer() throws {
        var open: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["): open.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                let opener = byte == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")
                guard open.popLast() == opener else { throw error("matching brackets", at: index - 1) }
                if open.isEmpty { return }
            case UInt8(ascii: "\""):
                index -= 1
                try skipString()
            default: break
            }
        }
        throw error("the end of a value")
    }

    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") { index += 1 }
        }
        throw error("the end of a string")
    }

    /// The span of a JSON number: `-? digits (. digits)? ([eE] [+-]? digits)?`.
    private mutating func numberRange() throws -> Range<Int> {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        let first = index
        let count = digits()
        guard count > 0 else { throw error("a value", at: start) }
        // JSON writes no leading zero (`007`), and Foundation's decoder refuses one.
        if count > 1, bytes[first] == UInt8(ascii: "0") { throw error("no leading zero", at: first) }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("digits after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("digits of an exponent") }
        }
        return start..<index
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    // MARK: - Bytes

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Moves past spaces, tabs and line breaks (to note where the next value starts).
    public mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else {
            throw error("'\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("'\(word)'") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw error("'\(word)'")
        }
        index += count
    }

    public func error(_ expected: String, at offset: Int? = nil) -> JSONReadError {
        JSONReadError(expected: expected, offset: offset ?? index)
    }
}

/// JSON text that is not what the reader expected, with the byte offset where it went wrong.
public struct JSONReadError: Error, CustomStringConvertible, Sendable {
    public var expected: String
    public var offset: Int
    public var description: String { "invalid JSON at byte \(offset): expected \(expected)" }
}
