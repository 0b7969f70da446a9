import CRMModel
import Foundation
import Testing

/// The hand-written JSON reader reads what Foundation's decoder reads, on tricky input: escapes, unicode,
/// numbers of every form, nested values and every `FieldValue` kind.
@Suite struct JSONReaderTests {
    static let trickyObjects: [String] = [
        #"{}"#,
        #"{"a":null,"b":true,"c":false,"d":0,"e":-0,"f":12,"g":-3}"#,
        #"{"amount":1234.50,"tiny":0.000001,"neg":-99.125,"exp":1e5,"Exp":2.5E-3,"plus":7e+2}"#,
        #"{"big":123456789012345678,"bigger":1234567890123456789012,"negbig":-9223372036854775808}"#,
        #"{"q":"say \"hi\"","bs":"back\\slash","sl":"a\/b","ctl":"\b\f\n\r\t","u":"\u00e9\u4e2d\u0001"}"#,
        #"{"emoji":"\ud83c\udf89 party","raw":"Zoë 🎉 中文","empty":""}"#,
        #"{"nested":{"x":[1,[2,{"y":null}],"z"],"o":{}},"list":[],"mixed":[true,1.5,"s",null,{"k":"v"}]}"#,
        "{ \"spaced\" :\t[ 1 ,\n 2 ] ,\r\n \"k\" : { } }",
        #"{"dup":1,"dup":2}"#,
    ]

    @Test(arguments: trickyObjects)
    func readsFieldsAsFoundationDoes(text: String) throws {
        let foundation = try JSONDecoder().decode([String: FieldValue].self, from: Data(text.utf8))
        let handRead = try JSONReader.fields(text)
        #expect(handRead == foundation)
    }

    @Test(arguments: trickyObjects)
    func writtenFieldsReadBackEqual(text: String) throws {
        let fields = try JSONReader.fields(text)
        #expect(try JSONReader.fields(FieldJSON.text(fields)) == fields)
        #expect(try JSONDecoder().decode([String: FieldValue].self, from: Data(FieldJSON.text(fields).utf8)) == fields)
    }

    @Test func everyFieldValueKindRoundTrips() throws {
        let fields: [String: FieldValue] = [
            "null": .null, "bool": true, "int": 42, "decimal": .number(Decimal(string: "-1234.5678")!),
            "string": "line\nbreak \"quoted\" \u{01} ü", "array": .array([1, "two", .null, .array([])]),
            "object": .object(["inner": .object(["deep": .number(Decimal(string: "0.1")!)])]),
        ]
        let text = FieldJSON.text(fields)
        #expect(try JSONReader.fields(text) == fields)
        #expect(try JSONReader.fields(text) == JSONDecoder().decode([String: FieldValue].self, from: Data(text.utf8)))
    }

    @Test(arguments: [
        #"{"a":}"#, #"{"a":1"#, #"{"a" 1}"#, #"{"a":tru}"#, #"{"a":"\x"}"#, #"{"a":01x}"#, #"{"a":"\ud800"}"#,
        #"{"a":1}x"#, #"[1]"#, #"{"a":-}"#, #"{"a":1.}"#, "{\"a\":\"\u{01}\"}",
    ])
    func refusesWhatFoundationRefuses(text: String) {
        #expect(throws: (any Error).self) { try JSONDecoder().decode([String: FieldValue].self, from: Data(text.utf8)) }
        #expect(throws: JSONReadError.self) { try JSONReader.fields(text) }
    }

    @Test func skippedValuesKeepTheirExactText() throws {
        let text = #"{"keep":{"a":[1,"x\"y",{"b":null}],"c":-1.5e3},"n":7}"#
        let (kept, number) = try JSONReader.reading(text) { reader -> (String, Int64) in
            var kept = ""
            var number: Int64 = 0
            try reader.readObject { key, reader in
                if key == "keep" { kept = reader.text(try reader.skipValue()) } else { number = try reader.readInt() }
            }
            return (kept, number)
        }
        #expect(kept == #"{"a":[1,"x\"y",{"b":null}],"c":-1.5e3}"#)
        #expect(number == 7)
    }

    @Test func timestampsWrittenByteByByteEqualTheText() {
        for seconds in [0.0, 1_750_000_000.125, 1_764_087_123.999, -86_400.5, 253_402_300_799.999, 951_782_400.0] {
            let date = Date(timeIntervalSince1970: seconds)
            var bytes: [UInt8] = []
            Timestamp.write(date, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == Timestamp.string(from: date))
        }
    }
}

/// Skipping a nested value finds its end without reading it, and still refuses brackets that do not match.
@Suite struct JSONReaderSkipTests {
    @Test(arguments: [
        #"{"a":"}]\"{[","b":[{"c":[]},{}],"d":{"e":"\\"}}"#, #"[["]"],{"x":"["}]"#, #"{}"#, #"[]"#,
    ])
    func skipsToTheMatchingBracket(text: String) throws {
        let range = try JSONReader.reading(text + " ,tail") { reader in try reader.skipValue() }
        #expect(range == 0..<text.utf8.count)
    }

    @Test(arguments: [#"{"a":[1}"#, #"[{]}"#, #"{"a":"open"#, #"[[1]"#])
    func refusesBracketsThatDoNotMatch(text: String) {
        #expect(throws: JSONReadError.self) { try JSONReader.reading(text) { reader in try reader.skipValue() } }
    }
}
