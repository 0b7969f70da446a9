import PIMBridge
import Testing

@Suite struct PIMBridgeSmokeTests {
    @Test func collectionsNameTheirFileExtensions() {
        #expect(PIMCollection.contacts.fileExtension == "vcf")
        #expect(PIMCollection.calendar.fileExtension == "ics")
    }
}
