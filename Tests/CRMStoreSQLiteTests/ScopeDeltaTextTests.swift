import CRMStore
import Foundation
import Testing

/// Stores keep a page's scope delta as JSON written and read by hand; it is the JSON of its `Codable` form.
@Suite struct ScopeDeltaTextTests {
    static let delta = ScopeDelta(
        upserts: [
            ScopeEntry(id: "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", type: "Contact", version: 3, reason: .filter),
            ScopeEntry(id: "quote\"and\\slash", type: "Tÿpe 🎉", version: 12_345_678, reason: .reference),
        ],
        removes: ["a", "b\nc"])

    @Test func handWrittenTextIsTheCodableJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let codable = try JSONSerialization.jsonObject(with: encoder.encode(Self.delta)) as? NSDictionary
        let handWritten = try JSONSerialization.jsonObject(with: Data(Self.delta.jsonText.utf8)) as? NSDictionary
        #expect(handWritten != nil)
        #expect(handWritten == codable)
        #expect(try JSONDecoder().decode(ScopeDelta.self, from: Data(Self.delta.jsonText.utf8)) == Self.delta)
    }

    @Test func readsTheCodableJSONInAnyKeyOrder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .prettyPrinted
        let text = String(decoding: try encoder.encode(Self.delta), as: UTF8.self)
        #expect(try ScopeDelta(jsonText: text) == Self.delta)
        #expect(try ScopeDelta(jsonText: Self.delta.jsonText) == Self.delta)
        #expect(try ScopeDelta(jsonText: ScopeDelta().jsonText) == ScopeDelta())
        #expect(throws: (any Error).self) { try ScopeDelta(jsonText: #"{"upserts":[{"id":"x"}],"removes":[]}"#) }
    }
}
