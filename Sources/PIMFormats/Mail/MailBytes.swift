/// The bytes of a message with the line arithmetic every parser here needs. Lines end in LF or CRLF, mixed
/// freely; a lone CR is not a line end. Offsets index `bytes`; nothing is copied until a part is decoded.
struct MailBytes: Sendable {
    /// One line: `start..<contentEnd` is its text, `end` the offset after its line break.
    struct Line: Equatable {
        var start: Int
        var contentEnd: Int
        var end: Int
        var isEmpty: Bool { start == contentEnd }
    }

    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The line starting at `start`, not reaching past `limit`.
    func line(at start: Int, limit: Int) -> Line {
        bytes.withUnsafeBufferPointer { buffer in
            var index = start
            while index < limit, buffer[index] != 0x0A { index += 1 }
            if index == limit { return Line(start: start, contentEnd: limit, end: limit) }
            let contentEnd = index > start && buffer[index - 1] == 0x0D ? index - 1 : index
            return Line(start: start, contentEnd: contentEnd, end: index + 1)
        }
    }

    /// The 1-based line number of `offset`: one plus the line feeds before it.
    func lineNumber(of offset: Int) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var count = 1
            for index in 0..<min(offset, buffer.count) where buffer[index] == 0x0A { count += 1 }
            return count
        }
    }

    /// True when `bytes[range]` holds only spaces and tabs.
    func isBlank(_ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// True when `bytes[offset...]` starts with `prefix`.
    func hasPrefix(_ prefix: [UInt8], at offset: Int, limit: Int) -> Bool {
        guard offset + prefix.count <= limit else { return false }
        for (index, byte) in prefix.enumerated() where bytes[offset + index] != byte { return false }
        return true
    }
}
