import CRMServer
import CRMTesting
import Foundation
import Logging
import Testing

/// `serve --log-format json`: one JSON object a line, whatever the message and metadata hold.
struct JSONLogHandlerTests {
    @Test func eachLogLineIsOneJSONObjectWithItsMetadata() throws {
        let capture = LogCapture()
        var logger = capture.logger(level: .info, label: "crm-server")
        logger[metadataKey: "server"] = "one"
        logger.info("a \"quoted\"\nmessage\twith \\ and \u{1}", metadata: ["requestId": "abc", "status": "404"])
        logger.debug("below the level")
        logger.error("second", metadata: ["count": .stringConvertible(3)])
        let lines = capture.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines.last == "", "\(capture.text)")
        let entries = capture.entries
        try #require(entries.count == 2)
        #expect(entries[0]["message"] == "a \"quoted\"\nmessage\twith \\ and \u{1}")
        #expect(entries[0]["level"] == "info" && entries[0]["logger"] == "crm-server")
        #expect(entries[0]["requestId"] == "abc" && entries[0]["status"] == "404" && entries[0]["server"] == "one")
        #expect(entries[1]["level"] == "error" && entries[1]["count"] == "3")
        let time = try #require(entries[0]["time"])
        #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time).timeIntervalSinceNow > -60)
    }
}
