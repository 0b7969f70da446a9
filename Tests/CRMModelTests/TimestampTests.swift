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
}
