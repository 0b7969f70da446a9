import CRMModel
import Foundation

/// How every store writes a record's system columns, so the stores hold the same values and a copy between
/// them is exact: times as whole milliseconds, field stamps as `{"field":[version,millis]}` without the
/// stamps that only say "set when the record was created", the team as a JSON list.
public enum RecordColumns {
    public static func millis(_ date: Date) -> Int64 { Timestamp.milliseconds(date) }
    public static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// `{"field":[version,millis],...}`, sorted by field. A stamp that says "set when the record was created"
    /// (version 1 at `createdAt`) is left out: most fields of most records have it, and rows stay half as big.
    public static func stampsText(_ stamps: [String: FieldStamp], createdAt: Date) -> String {
        var output = "{"
        let created = millis(createdAt)
        var first = true
        for key in stamps.keys.sorted() {
            let stamp = stamps[key]!
            if stamp.version == 1 && millis(stamp.at) == created { continue }
            if !first { output += "," }
            first = false
            FieldJSON.writeString(key, into: &output)
            output += ":[\(stamp.version),\(millis(stamp.at))]"
        }
        return output + "}"
    }

    /// The stored stamps, with "set at creation" filled in for every field that has a value and no stamp.
    public static func expandStamps(_ stored: [String: [Int64]], fields: [String: FieldValue], createdAt: Date)
        -> [String: FieldStamp]
    {
        var stamps = stored.compactMapValues { pair in
            pair.count == 2 ? FieldStamp(version: Int(pair[0]), at: date(pair[1])) : nil
        }
        for name in fields.keys where stamps[name] == nil {
            stamps[name] = FieldStamp(version: 1, at: createdAt)
        }
        return stamps
    }

    /// The stored stamps text (`{"field":[version,millis],...}`) read by hand: every row read goes through it.
    public static func parseStamps(_ text: String) throws -> [String: [Int64]] {
        try JSONReader.reading(text) { reader in
            var stamps: [String: [Int64]] = [:]
            try reader.readObject { key, reader in
                var pair: [Int64] = []
                try reader.readArray { reader in pair.append(try reader.readInt()) }
                stamps[key] = pair
            }
            try reader.expectEnd()
            return stamps
        }
    }

    /// The stored team text (a JSON list of names) read by hand.
    public static func parseTeam(_ text: String) throws -> [String] {
        try JSONReader.reading(text) { reader in
            var names: [String] = []
            try reader.readArray { reader in names.append(try reader.readString()) }
            try reader.expectEnd()
            return names
        }
    }

    /// The team as a JSON list of names.
    public static func teamText(_ team: [String]) -> String {
        var output = "["
        for (index, name) in team.enumerated() {
            if index > 0 { output += "," }
            FieldJSON.writeString(name, into: &output)
        }
        return output + "]"
    }
}
