import CRMModel
import Foundation
import Testing

/// Deeply nested JSON is refused with an error, not read by recursion until the stack overflows: found by the
/// `request-json` fuzz target (Fuzz/), where 200,000 nested `[` crashed `JSONReader` (desktops read the fields of
/// pulled records with it, so a broken or hostile server could crash them). The input is generated here: it is
/// nothing but brackets.
@Suite struct JSONReaderDepthTests {
    static func nested(_ depth: Int, open: String = "[", close: String = "]", inner: String = "1") -> String {
        String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
    }

    @Test(arguments: [JSONReader.maxDepth + 1, 200_000])
    func arraysNestedTooDeepAreRefusedWithTheirOffset(depth: Int) throws {
        let error = try #require(throws: JSONReadError.self) {
            try JSONReader.reading(Self.nested(depth)) { reader in try reader.readValue() }
        }
        #expect(error.offset == JSONReader.maxDepth)
        #expect(error.description.contains("at most 512 levels of nested arrays and objects"))
    }

    @Test func objectsNestedTooDeepAreRefusedAsFields() throws {
        let text = Self.nested(100_000, open: #"{"a":"#, close: "}")
        #expect(throws: JSONReadError.self) { try JSONReader.fields(text) }
    }

    @Test func nestingUpToTheLimitReads() throws {
        let arrays = try JSONReader.reading(Self.nested(JSONReader.maxDepth)) { reader in try reader.readValue() }
        #expect(FieldJSON.text(arrays) == Self.nested(JSONReader.maxDepth))
        // 510 levels of objects and arrays: as Foundation's decoder reads them.
        let text = Self.nested(JSONReader.maxDepth / 2 - 1, open: #"{"a":["#, close: "]}")
        let handRead = try JSONReader.reading(text) { reader in try reader.readValue() }
        #expect(handRead == (try JSONDecoder().decode(FieldValue.self, from: Data(text.utf8))))
    }

    @Test func theReaderKeepsCountingRightAfterManyContainers() throws {
        // Depth is given back on leaving each container: 10,000 shallow siblings read fine.
        let text = "[" + Array(repeating: #"{"a":[[1]]}"#, count: 10_000).joined(separator: ",") + "]"
        let value = try JSONReader.reading(text) { reader in try reader.readValue() }
        guard case .array(let elements) = value else {
            Issue.record("not an array: \(FieldJSON.text(value).prefix(40))")
            return
        }
        #expect(elements.count == 10_000)
    }
}
