import Foundation
import Yams

/// Turns a composed YAML document into JSON text, keeping numbers as they are written so that decimals
/// never pass through binary floating point.
enum YAMLToJSON {
    static func json(_ node: Node) -> String {
        var output = ""
        write(node, into: &output)
        return output
    }

    private static func write(_ node: Node, into output: inout String) {
        switch node {
        case .scalar(let scalar):
            writeScalar(scalar, node: node, into: &output)
        case .mapping(let mapping):
            output += "{"
            var first = true
            for (key, value) in mapping {
                if !first { output += "," }
                first = false
                FieldJSON.writeString(key.string ?? "", into: &output)
                output += ":"
                write(value, into: &output)
            }
            output += "}"
        case .sequence(let sequence):
            output += "["
            for (index, element) in sequence.enumerated() {
                if index > 0 { output += "," }
                write(element, into: &output)
            }
            output += "]"
        case .alias:
            output += "null"
        }
    }

    private static func writeScalar(_ scalar: Node.Scalar, node: Node, into output: inout String) {
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        if !quoted {
            if node.null != nil {
                output += "null"
                return
            }
            if let bool = node.bool {
                output += bool ? "true" : "false"
                return
            }
            if node.int != nil || node.float != nil, let number = jsonNumber(scalar.string) {
                output += number
                return
            }
        }
        FieldJSON.writeString(scalar.string, into: &output)
    }

    /// The scalar as a JSON number literal, when it is written as one (underscores dropped).
    private static func jsonNumber(_ text: String) -> String? {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        let pattern = #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#
        return cleaned.range(of: pattern, options: .regularExpression) != nil ? cleaned : nil
    }
}
