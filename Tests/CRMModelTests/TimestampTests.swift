import Foundation
import Testing

@testable import CRMModel

@Suite struct TimestampTests {
    @Test(arguments: [
        0.0, 951_782_400.123, 1_709_164_800.999, 4_102_444_799.5, -86_400.25, -2_208_988_800.0, 1_798_761_599.0,
    ])
    func timestampsAreWrittenLikeFoundationsISO8601WithMilliseconds(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let foundation = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(Timestamp.string(from: date) == foundation)
        #expect(Timestamp.date(from: Timestamp.string(from: date)).map { Timestamp.string(from: $0) } == foundation)
    }

    @Test func everyDayOfFourHundredYearsIsWrittenCorrectly() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for day in stride(from: -40_000, to: 110_000, by: 37) {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400 + 45_296.75)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let expected = String(format: "%04d-%02d-%02dT12:34:56.750Z", parts.year!, parts.month!, parts.day!)
            #expect(Timestamp.string(from: date) == expected)
        }
    }

    @Test func textsWithOffsetsAndFractionsParseToTheInstantFoundationReads() throws {
        var generator = SystemRandomNumberGenerator()
        let offsets = ["Z", "z", "+00:00", "+05:30", "-08:00", "+14:00", "-12:00", "+01:00"]
        let fractions = ["", ".5", ".12", ".123", ".000", ".999", ".1234567", ".123456789"]
        for _ in 0..<2_000 {
            let seconds = Double(Int64.random(in: -5_000_000_000...10_000_000_000, using: &generator))
            let base = Date(timeIntervalSince1970: seconds)
                .formatted(Date.ISO8601FormatStyle().year().month().day().time(includingFractionalSeconds: false)
                    .dateTimeSeparator(.standard))
            let offset = offsets.randomElement(using: &generator)!
            let text = base + fractions.randomElement(using: &generator)! + offset
            let normalized = text.replacingOccurrences(of: "z", with: "Z")
            let foundation = try #require(
                (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(normalized))
                    ?? (try? Date.ISO8601FormatStyle().parse(normalized)), "\(text)")
            let millis = (foundation.timeIntervalSince1970 * 1000).rounded()
            #expect(Timestamp.date(from: text) == Date(timeIntervalSince1970: millis / 1000), "\(text)")
        }
        #expect(Timestamp.date(from: "2026-11-25 13:08:56.5+01:00") == Timestamp.date(from: "2026-11-25T12:08:56.500Z"))
    }

    @Test(arguments: [
        "2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:00:61Z",
        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60", "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00.1234567890Z", "2026-01-01X00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-01T00:00:00+0100",
        "2026-01-01T00:00:00Z ", "２026-01-01T00:00:00Z",
    ])
    func textsThatNameNoRealInstantAreRefused(text: String) {
        #expect(Timestamp.date(from: text) == nil)
    }

    @Test func leapDaysAreReal() {
        #expect(Timestamp.date(from: "2024-02-29T12:00:00Z") != nil)
        #expect(Timestamp.date(from: "2000-02-29T12:00:00Z") != nil)
        #expect(Timestamp.date(from: "1900-02-29T12:00:00Z") == nil)
    }
}
