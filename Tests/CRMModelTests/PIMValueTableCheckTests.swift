import Foundation
import Testing
@testable import CRMModel

/// A PIM mapping's value tables (`values:`) are checked like the rest of the package: each names a mapped field,
/// values of the field's list, and reads each PIM value as one CRM value only.
@Suite struct PIMValueTableCheckTests {
    static func mapping(_ values: String) -> String {
        PackageLoadErrorTests.editing(
            "roles:", to: "pim:", "  Deal:", "    - component: vtodo", "      properties: {title: SUMMARY, stage: STATUS}",
            "      values:", "        " + values, "roles:")
    }

    @Test func aTableOfTheFieldsValuesLoads() throws {
        let package = try PackageLoader.load(
            yaml: Self.mapping("stage: {Open: \"NEEDS-ACTION,IN-PROCESS\", Won: COMPLETED}"), file: "test.yaml")
        #expect(package.pim?["Deal"]?.first?.values?["stage"]?["Open"] == "NEEDS-ACTION,IN-PROCESS")
    }

    @Test func aValueOutsideTheFieldsListIsRefused() {
        PackageLoadErrorTests.expectRefused(
            Self.mapping("stage: {Opn: NEEDS-ACTION}"), key: "pim.Deal.0.values.stage",
            onLineWith: "stage: {Opn: NEEDS-ACTION}", message: "'Opn' is not in the field's list")
    }

    @Test func aPIMValueReadAsTwoCRMValuesIsRefused() {
        PackageLoadErrorTests.expectRefused(
            Self.mapping("stage: {Open: NEEDS-ACTION, Won: needs-action}"), key: "pim.Deal.0.values.stage.Won",
            onLineWith: "stage: {Open: NEEDS-ACTION, Won: needs-action}",
            message: "'NEEDS-ACTION' is read as 'Open' already")
    }

    @Test func aTableOfAFieldThatIsNotMappedIsRefused() {
        PackageLoadErrorTests.expectRefused(
            Self.mapping("note: {x: y}"), key: "pim.Deal.0.values.note", onLineWith: "note: {x: y}",
            message: "'note' is not among the properties")
    }
}
