import Foundation
import Testing

@testable import CRMModel

/// Record writes are checked against the default package: every field kind, the JSON shapes, roles, required
/// fields and the package's rules; values come back in canonical form.
@Suite struct RecordValidatorTests {
    let package: CustomizationPackage
    let validator: RecordValidator

    init() throws {
        package = try DefaultPackage.load()
        validator = RecordValidator(base: package, view: package)
    }

    /// The least a record of each type needs to pass, so that a test can vary one field.
    static let minimal: [String: [String: FieldValue]] = [
        "Account": ["name": "Acme"],
        "Contact": ["lastName": "Lovelace"],
        "Opportunity": ["name": "Analytical engine", "stage": "Prospecting"],
        "ServiceRequest": ["title": "Engine jams", "status": "Open"],
        "Activity": ["subject": "Call Ada", "display": "todo"],
        "Note": ["body": "Met at the Royal Society"],
    ]

    /// Checks `changes` to a record of `type` whose fields are `existing` (a minimal valid record when nil).
    func check(
        _ type: String, _ changes: [String: FieldValue], existing: [String: FieldValue]? = nil,
        as validator: RecordValidator? = nil
    ) -> Result<[String: FieldValue], ValidationFailure> {
        var merged = existing ?? Self.minimal[type] ?? [:]
        for (name, value) in changes {
            if value.isNull { merged.removeValue(forKey: name) } else { merged[name] = value }
        }
        return (validator ?? self.validator).check(typeName: type, changes: changes, merged: merged)
    }

    /// The issues of a refused write; empty (and a recorded failure) when it passed.
    func issues(
        _ type: String, _ changes: [String: FieldValue], existing: [String: FieldValue]? = nil,
        as validator: RecordValidator? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) -> [FieldIssue] {
        switch check(type, changes, existing: existing, as: validator) {
        case .success(let normalized):
            Issue.record("accepted \(normalized)", sourceLocation: sourceLocation)
            return []
        case .failure(let failure):
            return failure.issues
        }
    }

    /// The one issue of a write that fails on exactly one field.
    func issue(
        _ type: String, _ field: String, _ value: FieldValue, sourceLocation: SourceLocation = #_sourceLocation
    ) -> FieldIssue? {
        let found = issues(type, [field: value], sourceLocation: sourceLocation)
        #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
        #expect(found.first?.field == field, "\(found)", sourceLocation: sourceLocation)
        return found.first
    }

    /// The value as stored after a write that must pass.
    func accepted(
        _ type: String, _ field: String, _ value: FieldValue, sourceLocation: SourceLocation = #_sourceLocation
    ) -> FieldValue? {
        switch check(type, [field: value]) {
        case .success(let normalized):
            return normalized[field]
        case .failure(let failure):
            Issue.record("refused \(value): \(failure.issues)", sourceLocation: sourceLocation)
            return nil
        }
    }

    static func number(_ text: String) -> FieldValue {
        .number(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!)
    }

    // MARK: Text

    @Test func textUpToMaxLengthIsAccepted() {
        let name = FieldValue.string(String(repeating: "a", count: 200))
        #expect(accepted("Account", "name", name) == name)
    }

    @Test func textOverMaxLengthIsTooLong() {
        let found = issue("Account", "name", .string(String(repeating: "a", count: 201)))
        #expect(found?.code == .tooLong)
        #expect(found?.message == "at most 200 characters")
    }

    @Test func maxLengthCountsCharactersNotBytes() {
        // A family emoji is one character of several scalars and many UTF-8 bytes.
        let name = FieldValue.string(String(repeating: "👩‍👩‍👧", count: 200))
        #expect(accepted("Account", "name", name) == name)
    }

    @Test(arguments: [
        "Robert'); DROP TABLE records;--", #"He said "hi" and left \ behind"#, "<script>alert('x')</script>",
        "Café Zürich — 北京 👩‍💻🚀", "line one\nline two\ttabbed", "1 OR 1=1; -- ' \" `",
    ])
    func textWithQuotesSQLHTMLAndEmojiPassesUnchanged(text: String) throws {
        #expect(accepted("Note", "body", .string(text)) == .string(text))
        let data = try CRMJSON.encoder().encode(["body": FieldValue.string(text)])
        let decoded = try CRMJSON.decoder().decode([String: FieldValue].self, from: data)
        #expect(decoded["body"] == .string(text))
    }

    @Test func numberForTextIsTheWrongKind() {
        let found = issue("Account", "name", 42)
        #expect(found?.code == .wrongKind)
        #expect(found?.message == "expected text, found a number")
    }

    // MARK: Number and currency

    @Test(arguments: ["0", "55", "100"])
    func numberWithinRangeIsAccepted(text: String) {
        #expect(accepted("Opportunity", "probability", Self.number(text)) == Self.number(text))
    }

    @Test func numberAboveMaxIsOutOfRange() {
        let found = issue("Opportunity", "probability", 101)
        #expect(found?.code == .outOfRange)
        #expect(found?.message == "at most 100")
    }

    @Test func numberBelowMinIsOutOfRange() {
        let found = issue("Opportunity", "probability", -1)
        #expect(found?.code == .outOfRange)
        #expect(found?.message == "at least 0")
    }

    @Test func numberWithTooManyDecimalsIsRefused() {
        let found = issue("Opportunity", "probability", Self.number("50.5"))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "at most 0 digits after the decimal point")
    }

    @Test func stringWhereANumberBelongsIsTheWrongKindNamingTheKind() {
        let found = issue("Opportunity", "probability", "50")
        #expect(found?.code == .wrongKind)
        #expect(found?.message == "expected a number, found a string")
    }

    @Test(arguments: ["0", "0.01", "1234.5", "99999999999.99", "12345678901234567.89"])
    func currencyWithinScaleIsAccepted(text: String) {
        #expect(accepted("Opportunity", "amount", Self.number(text)) == Self.number(text))
    }

    @Test func currencyWithThreeDecimalsIsRefused() {
        let found = issue("Opportunity", "amount", Self.number("10.125"))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "at most 2 digits after the decimal point")
    }

    @Test func negativeCurrencyIsOutOfRange() {
        #expect(issue("Opportunity", "amount", Self.number("-0.01"))?.code == .outOfRange)
    }

    @Test func currencyAsTextIsTheWrongKind() {
        let found = issue("Opportunity", "amount", "1,000.00 EUR")
        #expect(found?.code == .wrongKind)
        #expect(found?.message == "expected a number, found a string")
    }

    @Test func currencyCodeFieldDrawsFromItsList() {
        #expect(accepted("Opportunity", "currency", "USD") == "USD")
        #expect(issue("Opportunity", "currency", "XYZ")?.code == .notInList)
    }

    @Test func decimalSurvivesTheWireExactly() throws {
        let amount = try #require(Decimal(string: "12345678901234567.89"))
        let value = FieldValue.number(amount)
        let data = try CRMJSON.encoder().encode(["amount": value])
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("12345678901234567.89"), "encoded as \(text)")
        let decoded = try CRMJSON.decoder().decode([String: FieldValue].self, from: data)
        #expect(decoded["amount"] == value, "decoded as \(String(describing: decoded["amount"]))")
        #expect(decoded["amount"]?.decimalValue.map { "\($0)" } == "12345678901234567.89")
    }

    @Test func decimalFromClientJSONIsReadExactly() throws {
        let data = Data(#"{"amount": 12345678901234567.89, "small": 0.1, "whole": 7}"#.utf8)
        let decoded = try CRMJSON.decoder().decode([String: FieldValue].self, from: data)
        #expect(decoded["amount"] == Self.number("12345678901234567.89"))
        #expect(decoded["small"] == Self.number("0.1"))
        #expect(decoded["whole"] == 7)
    }

    @Test func fieldJSONTextReadsBackAsTheSameFields() throws {
        let fields: [String: FieldValue] = [
            "amount": Self.number("12345678901234567.89"), "small": Self.number("-0.001"), "flag": true,
            "text": "\"quoted\" \\ back\nslash\t\u{1} Café 👩‍💻 <b>&amp;</b>", "none": nil,
            "ids": .array(["a", "b"]), "nested": .object(["k": .array([1, .null])]),
        ]
        let text = FieldJSON.text(fields)
        #expect(text.contains("12345678901234567.89"))
        let decoded = try CRMJSON.decoder().decode([String: FieldValue].self, from: Data(text.utf8))
        #expect(decoded == fields)
    }

    @Test func jsonShapesDecodeToTheirFieldValues() throws {
        let data = Data(#"{"t": true, "s": "true", "n": null, "l": ["a", 1], "o": {"k": false}}"#.utf8)
        let decoded = try CRMJSON.decoder().decode([String: FieldValue].self, from: data)
        #expect(decoded["t"] == .bool(true))
        #expect(decoded["s"] == .string("true"))
        #expect(decoded["n"] == .null)
        #expect(decoded["l"] == .array(["a", 1]))
        #expect(decoded["o"] == .object(["k": false]))
    }

    // MARK: Dates and times

    @Test(arguments: ["2026-01-01", "2026-12-31", "2024-02-29", "2000-02-29", "2026-04-30"])
    func validDateIsAccepted(date: String) {
        #expect(accepted("Opportunity", "closeDate", .string(date)) == .string(date))
    }

    @Test(arguments: [
        "2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
        "2026-1-5", "26-01-05", "2026/01/05", "2026-01-05T10:00:00Z", "tomorrow",
    ])
    func invalidDateIsABadFormat(date: String) {
        let found = issue("Opportunity", "closeDate", .string(date))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "'\(date)' is not a date (YYYY-MM-DD)")
    }

    @Test func dateAsNumberIsTheWrongKind() {
        #expect(issue("Opportunity", "closeDate", 20260101)?.code == .wrongKind)
    }

    @Test(arguments: [
        "2026-03-01T10:00:00+01:00", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.123Z",
        "2026-03-01T10:00:00-05:30", "2024-02-29T23:59:59+14:00",
    ])
    func datetimeWithOffsetIsAccepted(datetime: String) {
        #expect(accepted("Activity", "start", .string(datetime)) == .string(datetime))
    }

    @Test(arguments: [
        "2026-03-01T10:00:00", "2026-03-01T10:00", "2026-03-01", "2026-03-01T10:00:00+0100", "10:00", "now",
    ])
    func datetimeWithoutOffsetIsABadFormat(datetime: String) {
        let found = issue("Activity", "start", .string(datetime))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "'\(datetime)' is not an RFC 3339 date-time with offset")
    }

    @Test(arguments: [
        "2026-02-30T10:00:00Z", "2023-02-29T10:00:00+01:00", "2026-03-01T25:00:00Z", "2026-03-01T24:00:00Z",
        "2026-03-01T10:61:00Z", "2026-03-01T10:00:61Z", "2026-03-01T10:00:00+24:00", "2026-03-01T10:00:00+01:60",
    ])
    func impossibleDatetimeIsABadFormat(datetime: String) {
        #expect(issue("Activity", "start", .string(datetime))?.code == .badFormat)
    }

    // MARK: Boolean

    @Test func booleanIsAccepted() {
        #expect(accepted("Activity", "allDay", true) == true)
        #expect(accepted("Activity", "allDay", false) == false)
    }

    @Test(arguments: [FieldValue.string("true"), .string("yes"), .number(1)])
    func booleanLookalikeIsTheWrongKind(value: FieldValue) {
        let found = issue("Activity", "allDay", value)
        #expect(found?.code == .wrongKind)
        #expect(found?.message.hasPrefix("expected true or false, found ") == true)
    }

    // MARK: Picklist

    @Test func picklistValueFromTheListIsAccepted() {
        #expect(accepted("Opportunity", "stage", "Closed Lost") == "Closed Lost")
    }

    @Test func picklistValueNotInTheListIsRefusedNamingTheValues() {
        let found = issue("Opportunity", "stage", "closed lost")
        #expect(found?.code == .notInList)
        #expect(found?.message.hasPrefix("'closed lost' is not one of: Prospecting, Qualification") == true)
    }

    // MARK: References

    @Test func referenceIsCanonicalisedToLowerCase() {
        let id = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
        #expect(accepted("Contact", "accountId", .string(id)) == .string(id.lowercased()))
    }

    @Test func referenceThatIsNotAnIdIsABadFormat() {
        let found = issue("Contact", "accountId", "Acme Ltd")
        #expect(found?.code == .badFormat)
        #expect(found?.message == "'Acme Ltd' is not a record id")
    }

    @Test func referenceAsListIsTheWrongKind() {
        #expect(issue("Contact", "accountId", .array([.string(RecordID.make())]))?.code == .wrongKind)
    }

    @Test func referencesAreCanonicalisedDeduplicatedAndSorted() {
        let first = "00000000-0000-4000-8000-00000000000A"
        let second = "00000000-0000-4000-8000-000000000001"
        let value = FieldValue.array([.string(first), .string(second), .string(first.lowercased())])
        #expect(
            accepted("Opportunity", "contactIds", value)
                == .array([.string(second), .string(first.lowercased())]))
    }

    @Test func emptyReferencesAreAccepted() {
        #expect(accepted("Opportunity", "contactIds", .array([])) == .array([]))
    }

    @Test func referencesWithABadIdAreABadFormat() {
        let found = issue("Opportunity", "contactIds", .array([.string(RecordID.make()), "ada"]))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "'ada' is not a record id")
    }

    @Test(arguments: [FieldValue.string("00000000-0000-4000-8000-000000000001"), .array([1, 2])])
    func referencesNotAListOfIdsAreTheWrongKind(value: FieldValue) {
        let found = issue("Opportunity", "contactIds", value)
        #expect(found?.code == .wrongKind)
        #expect(found?.message.hasPrefix("expected a list of record ids") == true)
    }

    // MARK: Email, phone, web address

    @Test(arguments: ["ada@example.com", "ada.lovelace+crm@mail.example.co.uk", "o'brien@example.ie"])
    func emailAddressIsAccepted(address: String) {
        #expect(accepted("Contact", "email", .string(address)) == .string(address))
    }

    @Test(arguments: [
        "ada", "ada@example", "ada@@example.com", "ada lovelace@example.com", "<ada@example.com>", "@example.com",
        "ada@example.",
    ])
    func malformedEmailAddressIsABadFormat(address: String) {
        let found = issue("Contact", "email", .string(address))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "'\(address)' is not an email address")
    }

    @Test(arguments: ["+49 30 1234567", "(030) 123-4567", "+1 555 0100 ext 12", "030/123.45.67"])
    func phoneNumberIsAccepted(phone: String) {
        #expect(accepted("Contact", "phone", .string(phone)) == .string(phone))
    }

    @Test(arguments: ["call me", "12", "+49 30 1234567; DROP TABLE", String(repeating: "1", count: 41)])
    func malformedPhoneNumberIsABadFormat(phone: String) {
        let found = issue("Contact", "phone", .string(phone))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "'\(phone)' is not a phone number")
    }

    @Test(arguments: ["https://example.com", "http://example.com/path?q=1#top", "HTTPS://EXAMPLE.COM"])
    func httpAddressIsAccepted(url: String) {
        #expect(accepted("Account", "website", .string(url)) == .string(url))
    }

    @Test(arguments: [
        "ftp://example.com", "javascript:alert(1)", "example.com", "https://", "mailto:ada@example.com",
        "file:///etc/passwd",
    ])
    func nonHTTPAddressIsABadFormat(url: String) {
        let found = issue("Account", "website", .string(url))
        #expect(found?.code == .badFormat)
        #expect(found?.message == "'\(url)' is not an http or https address")
    }

    // MARK: Fields and roles

    @Test func nullClearsAnOptionalField() throws {
        let result = check("Account", ["industry": nil], existing: ["name": "Acme", "industry": "Banking"])
        #expect(try result.get() == ["industry": .null])
    }

    @Test func unknownFieldIsRefused() {
        let found = issue("Account", "nmae", "Acme")
        #expect(found?.code == .unknownField)
        #expect(found?.message == "Account has no field 'nmae'")
    }

    @Test func systemFieldIsNotAPackageField() {
        #expect(issue("Account", "owner", "ada")?.code == .unknownField)
    }

    @Test func unknownTypeIsRefused() {
        let found = issues("Lead", ["name": "Acme"])
        #expect(found == [FieldIssue(field: "type", code: .unknownField, message: "unknown type 'Lead'")])
    }

    @Test func readOnlyFieldOfTheRoleIsRefused() throws {
        let rep = RecordValidator(base: package, view: try #require(package.resolved(for: "sales-rep")))
        let found = issues("Opportunity", ["probability": 50, "nextStep": "Call back"], as: rep)
        #expect(found == [FieldIssue(field: "probability", code: .readOnly, message: "'probability' is read-only")])
        // The manager's role may set it.
        let manager = RecordValidator(base: package, view: try #require(package.resolved(for: "sales-manager")))
        #expect((try? check("Opportunity", ["probability": 50], as: manager).get()) == ["probability": 50])
    }

    @Test func fieldHiddenFromTheRoleIsUnknownToIt() throws {
        let agent = RecordValidator(base: package, view: try #require(package.resolved(for: "service-agent")))
        #expect(issues("Account", ["annualRevenue": 1000], as: agent).map(\.code) == [.unknownField])
        #expect(issues("Opportunity", ["name": "Deal"], as: agent).map(\.field) == ["type"])
    }

    @Test func roleNarrowedListRefusesValuesOutsideTheSubset() throws {
        let rep = RecordValidator(base: package, view: try #require(package.resolved(for: "sales-rep")))
        #expect(issues("Activity", ["kind": "Training"], as: rep).map(\.code) == [.notInList])
        #expect((try? check("Activity", ["kind": "Training"]).get()) == ["kind": "Training"])
    }

    // MARK: Required fields

    @Test func requiredFieldMissingOnCreateIsRefused() {
        let found = issues("Account", ["industry": "Banking"], existing: [:])
        #expect(found == [FieldIssue(field: "name", code: .required, message: "'name' is required")])
    }

    @Test func requiredFieldClearedOnUpdateIsRefused() {
        let found = issues("Account", ["name": nil], existing: ["name": "Acme"])
        #expect(found.map(\.code) == [.required])
    }

    @Test func requiredFieldOfOnlySpacesIsRefused() {
        #expect(issues("Account", ["name": "  \n "], existing: [:]).map(\.code) == [.required])
    }

    @Test func requiredFieldUntouchedOnUpdateIsNotReported() {
        #expect((try? check("Account", ["city": "London"], existing: ["name": "Acme"]).get()) == ["city": "London"])
    }

    @Test func requiredFieldWithABadValueReportsOnlyTheBadValue() {
        let found = issues("Opportunity", ["stage": "Won"], existing: [:])
        #expect(Set(found.map(\.field)) == ["name", "stage"])
        #expect(found.first(where: { $0.field == "stage" })?.code == .notInList)
    }

    @Test func everyFailingFieldIsReportedAtOnce() {
        let changes: [String: FieldValue] = [
            "name": .string(String(repeating: "x", count: 201)), "stage": "Won", "probability": 101,
            "closeDate": "2026-02-30", "amount": "lots", "colour": "red", "accountId": "acme",
        ]
        let found = issues("Opportunity", changes, existing: [:])
        let codes = Dictionary(found.map { ($0.field, $0.code) }, uniquingKeysWith: { first, _ in first })
        #expect(found.count == 7, "\(found)")
        #expect(
            codes == [
                "name": .tooLong, "stage": .notInList, "probability": .outOfRange, "closeDate": .badFormat,
                "amount": .wrongKind, "colour": .unknownField, "accountId": .badFormat,
            ])
    }

    // MARK: Rules

    @Test func activityEndingBeforeItStartsIsRefusedWithTheRuleMessage() {
        // 10:30+05:00 is 05:30 UTC, before 08:00 UTC although it reads later.
        let changes: [String: FieldValue] = [
            "display": "calendar", "start": "2026-03-01T10:00:00+02:00", "end": "2026-03-01T10:30:00+05:00",
        ]
        let found = issues("Activity", changes)
        #expect(found == [FieldIssue(field: "end", code: .rule, message: "An activity cannot end before it starts")])
    }

    @Test func activityEndIsComparedAsAnInstantAcrossOffsets() {
        // 09:30 UTC is after 10:00+02:00 (08:00 UTC) although it reads earlier.
        let changes: [String: FieldValue] = [
            "display": "calendar", "start": "2026-03-01T10:00:00+02:00", "end": "2026-03-01T09:30:00Z",
        ]
        #expect((try? check("Activity", changes).get()) == changes)
    }

    @Test func activityEndingAsItStartsIsAccepted() {
        let changes: [String: FieldValue] = [
            "display": "calendar", "start": "2026-03-01T10:00:00+02:00", "end": "2026-03-01T08:00:00Z",
        ]
        #expect((try? check("Activity", changes).get()) == changes)
    }

    @Test func movingTheStartPastTheStoredEndIsRefused() {
        let existing: [String: FieldValue] = [
            "subject": "Demo", "display": "calendar", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T11:00:00Z",
        ]
        let found = issues("Activity", ["start": "2026-03-01T12:00:00Z"], existing: existing)
        #expect(found.map(\.code) == [.rule])
        #expect(found.map(\.field) == ["end"])
    }

    @Test func calendarActivityWithoutStartIsRefused() {
        let found = issues("Activity", ["display": "calendar"])
        #expect(found == [FieldIssue(field: "start", code: .rule, message: "A calendar activity needs a start")])
    }

    @Test func wonOpportunityWithoutCloseDateIsRefused() {
        let found = issues("Opportunity", ["stage": "Closed Won"])
        #expect(found == [FieldIssue(field: "closeDate", code: .rule, message: "A won opportunity needs a close date")])
    }

    @Test func wonOpportunityWithCloseDateIsAccepted() {
        let changes: [String: FieldValue] = ["stage": "Closed Won", "closeDate": "2026-06-30"]
        #expect((try? check("Opportunity", changes).get()) == changes)
    }

    @Test func clearingTheCloseDateOfAWonOpportunityIsRefused() {
        let existing: [String: FieldValue] = ["name": "Engine", "stage": "Closed Won", "closeDate": "2026-06-30"]
        #expect(issues("Opportunity", ["closeDate": nil], existing: existing).map(\.code) == [.rule])
    }

    @Test func savingCorrespondenceNeedsAnEmailAddress() {
        let found = issues("Contact", ["saveCorrespondence": true])
        #expect(found.map(\.field) == ["email"])
        #expect(found.first?.message == "Saving correspondence needs an email address")
        let changes: [String: FieldValue] = ["saveCorrespondence": true, "email": "ada@example.com"]
        #expect((try? check("Contact", changes).get()) == changes)
        #expect((try? check("Contact", ["saveCorrespondence": false]).get()) == ["saveCorrespondence": false])
    }

    @Test func timeZoneMustBeAnIANAName() {
        #expect((try? check("Activity", ["timeZone": "Europe/Paris"]).get()) == ["timeZone": "Europe/Paris"])
        let found = issues("Activity", ["timeZone": "Paris time"])
        #expect(found.map(\.code) == [.rule])
        #expect(found.first?.message == "The time zone must be an IANA name such as Europe/Paris")
    }

    @Test func ruleOnAFieldWithABadValueIsNotReportedTwice() {
        let found = issues("Activity", ["display": "calendar", "start": "2026-03-01T10:00:00Z", "end": "soon"])
        #expect(found.map(\.code) == [.badFormat])
    }
}
