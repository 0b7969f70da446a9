import Foundation

/// Writes record fields as compact JSON text with sorted keys, by hand: stores keep `fields` as JSON text and
/// splice it into pages, so this sits on every write and bulk path and must not go through Codable.
public enum FieldJSON {
    /// `fields` as a JSON object.
    public static func text(_ fields: [String: FieldValue]) -> String {
        var output = ""
        output.reserveCapacity(fields.count * 24)
        writeObject(fields, into: &output)
        return output
    }

    /// `value` as JSON.
    public static func text(_ value: FieldValue) -> String {
        var output = ""
        write(value, into: &output)
        return output
    }

    static func writeObject(_ fields: [String: FieldValue], into output: inout String) {
        output += "{"
        var first = true
        for key in fields.keys.sorted() {
            if !first { output += "," }
            first = false
            writeString(key, into: &output)
            output += ":"
            write(fields[key]!, into: &output)
        }
        output += "}"
    }

    static func write(_ value: FieldValue, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number): output += number.description
        case .string(let text): writeString(text, into: &output)
        case .array(let values):
            output += "["
            for (index, element) in values.enumerated() {
                if index > 0 { output += "," }
                write(element, into: &output)
            }
            output += "]"
        case .object(let object): writeObject(object, into: &output)
        }
    }

    /// A JSON string literal, escaping quotes, backslashes and control characters; all else as UTF-8.
    public static func writeString(_ text: String, into output: inout String) {
        output += "\""
        var needsEscape = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscape = true
            break
        }
        if !needsEscape {
            output += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
