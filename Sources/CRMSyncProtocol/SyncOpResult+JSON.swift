import CRMModel

extension SyncOpResult {
    /// The result as the CRM's JSON encoder writes it (keys sorted, absent values left out), by hand: a push
    /// answers up to a thousand ops, each with its whole record, and Foundation's encoder costs about ten
    /// microseconds per field. The server stores these bytes under the op id and answers a retry with them.
    public func writeJSON(into bytes: inout [UInt8]) {
        var first = true
        func key(_ name: StaticString) {
            bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            bytes.append(contentsOf: "\":".utf8)
        }
        func array<Element>(_ values: [Element], _ write: (Element, inout [UInt8]) -> Void) {
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(value, &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        if let conflicts {
            key("conflicts")
            array(conflicts) { RecordJSON.write($0, into: &$1) }
        }
        if let existing {
            key("existing")
            FieldJSON.writeString(existing, into: &bytes)
        }
        if let heldBy {
            key("heldBy")
            FieldJSON.writeString(heldBy, into: &bytes)
        }
        key("id")
        FieldJSON.writeString(id, into: &bytes)
        if let issues {
            key("issues")
            array(issues) { issue, bytes in
                bytes.append(contentsOf: "{\"code\":".utf8)
                FieldJSON.writeString(issue.code.rawValue, into: &bytes)
                bytes.append(contentsOf: ",\"field\":".utf8)
                FieldJSON.writeString(issue.field, into: &bytes)
                bytes.append(contentsOf: ",\"message\":".utf8)
                FieldJSON.writeString(issue.message, into: &bytes)
                bytes.append(UInt8(ascii: "}"))
            }
        }
        if let message {
            key("message")
            FieldJSON.writeString(message, into: &bytes)
        }
        key("opId")
        FieldJSON.writeString(opId, into: &bytes)
        if let record {
            key("record")
            RecordJSON.write(record, into: &bytes)
        }
        if let serverFields {
            key("serverFields")
            array(serverFields) { FieldJSON.writeString($0, into: &$1) }
        }
        key("status")
        FieldJSON.writeString(status.rawValue, into: &bytes)
        if let version {
            key("version")
            bytes.append(contentsOf: String(version).utf8)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}

extension SyncPushResponse {
    /// The body of a push's answer from its results' JSON (as `SyncOpResult.writeJSON` or a stored answer has
    /// it), spliced as they are.
    public static func body(results: [[UInt8]], protocolVersion: Int = ProtocolVersion.current) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(results.reduce(40) { $0 + $1.count + 1 })
        bytes.append(contentsOf: "{\"protocolVersion\":\(protocolVersion),\"results\":[".utf8)
        for (index, result) in results.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: result)
        }
        bytes.append(contentsOf: "]}".utf8)
        return bytes
    }
}
