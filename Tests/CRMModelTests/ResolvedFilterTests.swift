import Foundation
import Testing

@testable import CRMModel

/// A filter preset made concrete for a device: parameters over defaults, windows as days in the device's zone,
/// and the record-by-record decision the server makes with it.
@Suite struct ResolvedFilterTests {
    static let package = try! DefaultPackage.load()

    static func preset(_ name: String) throws -> SyncFilter {
        try #require(package.filters?.first { $0.name == name })
    }

    static func record(
        _ type: String, owner: String = "rita", team: [String] = [], _ fields: [String: FieldValue] = [:]
    ) -> Record {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        return Record(
            id: RecordID.make(at: now), type: type, owner: owner, team: team, createdAt: now, updatedAt: now,
            updatedBy: owner, fields: fields)
    }

    // MARK: - Resolving parameters

    @Test func resolvingFillsInTheDefaultsAndTurnsWindowsIntoDays() throws {
        let resolved = try Self.preset("my-records").resolve(
            parameters: [:], today: "2026-03-10", timeZone: "Europe/Berlin")
        #expect(resolved.name == "my-records")
        #expect(resolved.today == "2026-03-10")
        #expect(resolved.timeZone == "Europe/Berlin")
        #expect(
            Set(resolved.types.keys) == ["Account", "Contact", "Opportunity", "ServiceRequest", "Activity", "Note"])
        #expect(
            resolved.types["Activity"]?.window == ResolvedWindow(field: "start", from: "2026-02-08", to: "2026-05-09"))
        #expect(resolved.types["Activity"]?.limit == 10000)
        #expect(resolved.types["Account"] == ResolvedTypeFilter(records: .mine))
    }

    @Test func givenParametersOverrideTheDefaults() throws {
        let resolved = try Self.preset("my-records").resolve(
            parameters: ["daysBack": "7", "daysAhead": "0"], today: "2026-03-10", timeZone: "UTC")
        #expect(
            resolved.types["Activity"]?.window == ResolvedWindow(field: "start", from: "2026-03-03", to: "2026-03-10"))
    }

    @Test func fixedWindowsPresetConditionsAndTheAdministratorsMasterConditionsApply() throws {
        let master: [String: [FieldCondition]] = [
            "ServiceRequest": [FieldCondition(field: "priority", in: ["High", "Urgent"])],
            "Account": [FieldCondition(field: "country", present: true)],
        ]
        let resolved = try Self.preset("service-queue").resolve(
            parameters: [:], today: "2026-01-15", timeZone: "UTC", masterConditions: master)
        #expect(
            resolved.types["Activity"]?.window == ResolvedWindow(field: "start", from: "2026-01-01", to: "2026-02-14"))
        #expect(resolved.types["Activity"]?.conditions == [FieldCondition(field: "serviceRequestId", present: true)])
        let open = FieldCondition(field: "status", in: ["Open", "In Progress", "Waiting for Customer"])
        #expect(
            resolved.types["ServiceRequest"]?.conditions == [
                open, FieldCondition(field: "priority", in: ["High", "Urgent"]),
            ])
        #expect(resolved.types["Account"]?.conditions == [FieldCondition(field: "country", present: true)])
        #expect(resolved.types["Opportunity"] == nil)
    }

    @Test func aWindowKeepsItsOrWhenAndTakesItsDaysFromAParameter() throws {
        let preset = try Self.preset("my-open-pipeline")
        let byDefault = try preset.resolve(parameters: [:], today: "2026-03-31", timeZone: "UTC")
        let window = try #require(byDefault.types["Opportunity"]?.window)
        #expect(window.field == "closeDate")
        #expect(window.from == "2025-12-31")
        #expect(window.orWhen?.field == "stage")
        let narrower = try preset.resolve(parameters: ["closedDays": "31"], today: "2026-03-31", timeZone: "UTC")
        #expect(narrower.types["Opportunity"]?.window?.from == "2026-02-28")
    }

    @Test func anUnknownParameterIsRefusedByName() throws {
        let preset = try Self.preset("my-records")
        do {
            _ = try preset.resolve(parameters: ["weeksBack": "2"], today: "2026-03-10", timeZone: "UTC")
            Issue.record("an unknown parameter was accepted")
        } catch {
            #expect(error.parameter == "weeksBack")
            #expect(error.message.contains("'weeksBack'"))
            #expect(error.message.contains("daysAhead, daysBack"))
        }
    }

    @Test(arguments: ["soon", "1.5", "", "3 days"])
    func aParameterThatIsNotAWholeNumberIsRefusedByName(value: String) throws {
        let preset = try Self.preset("my-records")
        do {
            _ = try preset.resolve(parameters: ["daysAhead": value], today: "2026-03-10", timeZone: "UTC")
            Issue.record("'\(value)' was accepted as a number of days")
        } catch {
            #expect(error.parameter == "daysAhead")
            #expect(error.message == "'\(value)' is not a whole number")
        }
    }

    @Test func aNegativeNumberOfDaysIsRefused() throws {
        let preset = try Self.preset("my-records")
        #expect(throws: FilterParameterError.self) {
            try preset.resolve(parameters: ["daysBack": "-1"], today: "2026-03-10", timeZone: "UTC")
        }
    }

    // MARK: - Days

    @Test(arguments: [
        ("2026-01-31", 1, "2026-02-01"), ("2025-12-31", 1, "2026-01-01"), ("2026-01-01", -1, "2025-12-31"),
        ("2024-02-28", 1, "2024-02-29"), ("2024-03-01", -1, "2024-02-29"), ("2023-03-01", -1, "2023-02-28"),
        ("2000-02-28", 1, "2000-02-29"), ("1900-02-28", 1, "1900-03-01"), ("2026-03-10", -30, "2026-02-08"),
        ("2024-03-10", -30, "2024-02-09"), ("2026-03-10", 365, "2027-03-10"), ("2026-03-29", 0, "2026-03-29"),
    ])
    func daysMoveAcrossMonthYearAndLeapBoundaries(day: String, offset: Int, expected: String) {
        #expect(DayArithmetic.adding(offset, to: day) == expected)
    }

    @Test func aDayThatDoesNotExistCannotBeMoved() {
        #expect(DayArithmetic.adding(1, to: "2026-02-29") == nil)
        #expect(DayArithmetic.adding(1, to: "2026-13-01") == nil)
        #expect(DayArithmetic.adding(1, to: "tomorrow") == nil)
    }

    @Test func theDayOfAnInstantDependsOnTheZone() throws {
        let instant = try #require(Timestamp.date(from: "2026-03-01T23:30:00Z"))
        #expect(DayArithmetic.day(of: instant, zone: try #require(TimeZone(identifier: "UTC"))) == "2026-03-01")
        #expect(
            DayArithmetic.day(of: instant, zone: try #require(TimeZone(identifier: "Europe/Berlin"))) == "2026-03-02")
        #expect(
            DayArithmetic.day(of: instant, zone: try #require(TimeZone(identifier: "America/Los_Angeles")))
                == "2026-03-01")
        let early = try #require(Timestamp.date(from: "2026-03-01T03:00:00Z"))
        #expect(
            DayArithmetic.day(of: early, zone: try #require(TimeZone(identifier: "America/New_York"))) == "2026-02-28")
    }

    // MARK: - Matching records

    @Test func mineMeansOwnedOrOnTheTeamAndVisibleMeansAnything() {
        let mine = ResolvedFilter(
            name: "f", types: ["Account": ResolvedTypeFilter(records: .mine)], today: "2026-03-10", timeZone: "UTC")
        let visible = ResolvedFilter(
            name: "f", types: ["Account": ResolvedTypeFilter(records: .visible)], today: "2026-03-10", timeZone: "UTC")
        let owned = Self.record("Account", owner: "rita")
        let shared = Self.record("Account", owner: "peter", team: ["tess", "rita"])
        let others = Self.record("Account", owner: "peter", team: ["tess"])
        #expect(mine.matches(owned, user: "rita"))
        #expect(mine.matches(shared, user: "rita"))
        #expect(!mine.matches(others, user: "rita"))
        #expect(visible.matches(others, user: "rita"))
        // A type the filter does not name is not synced at all.
        #expect(!visible.matches(Self.record("Contact"), user: "rita"))
    }

    @Test func everyConditionMustHold() {
        let filter = ResolvedFilter(
            name: "f",
            types: [
                "ServiceRequest": ResolvedTypeFilter(
                    records: .visible,
                    conditions: [
                        FieldCondition(field: "status", in: ["Open", "In Progress"]),
                        FieldCondition(field: "accountId", present: true),
                    ])
            ], today: "2026-03-10", timeZone: "UTC")
        let account: FieldValue = .string(RecordID.make())
        #expect(filter.matches(Self.record("ServiceRequest", ["status": "Open", "accountId": account]), user: "rita"))
        #expect(
            !filter.matches(Self.record("ServiceRequest", ["status": "Closed", "accountId": account]), user: "rita"))
        #expect(!filter.matches(Self.record("ServiceRequest", ["status": "Open"]), user: "rita"))
        #expect(!filter.matches(Self.record("ServiceRequest", ["accountId": account]), user: "rita"))
    }

    @Test func aDatetimeIsInTheWindowByItsDayInTheDevicesZone() {
        func filter(_ zone: String) -> ResolvedFilter {
            ResolvedFilter(
                name: "f",
                types: [
                    "Activity": ResolvedTypeFilter(
                        records: .mine, window: ResolvedWindow(field: "start", from: "2026-03-02", to: "2026-03-05"))
                ],
                today: "2026-03-03", timeZone: zone)
        }
        let lateEvening = Self.record("Activity", ["start": "2026-03-01T23:30:00Z"])
        #expect(filter("Europe/Berlin").matches(lateEvening, user: "rita"))
        #expect(!filter("UTC").matches(lateEvening, user: "rita"))
        let lastMinute = Self.record("Activity", ["start": "2026-03-05T22:59:59Z"])
        let nextDay = Self.record("Activity", ["start": "2026-03-05T23:00:00Z"])
        #expect(filter("Europe/Berlin").matches(lastMinute, user: "rita"))
        #expect(!filter("Europe/Berlin").matches(nextDay, user: "rita"))
        #expect(filter("UTC").matches(nextDay, user: "rita"))
        #expect(!filter("UTC").matches(Self.record("Activity", ["subject": "No start"]), user: "rita"))
    }

    @Test func aDateIsInTheWindowAsWrittenWhateverTheZone() {
        for zone in ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            let filter = ResolvedFilter(
                name: "f",
                types: [
                    "Activity": ResolvedTypeFilter(
                        records: .mine, window: ResolvedWindow(field: "due", from: "2026-03-02", to: "2026-03-05"))
                ],
                today: "2026-03-03", timeZone: zone)
            #expect(filter.matches(Self.record("Activity", ["due": "2026-03-02"]), user: "rita"), "\(zone)")
            #expect(filter.matches(Self.record("Activity", ["due": "2026-03-05"]), user: "rita"), "\(zone)")
            #expect(!filter.matches(Self.record("Activity", ["due": "2026-03-01"]), user: "rita"), "\(zone)")
            #expect(!filter.matches(Self.record("Activity", ["due": "2026-03-06"]), user: "rita"), "\(zone)")
        }
    }

    @Test func orWhenLetsRecordsThroughWhateverTheirDate() {
        let open = FieldCondition(field: "stage", in: ["Prospecting", "Negotiation"])
        let filter = ResolvedFilter(
            name: "f",
            types: [
                "Opportunity": ResolvedTypeFilter(
                    records: .mine,
                    window: ResolvedWindow(field: "closeDate", from: "2026-01-01", to: "2026-03-31", orWhen: open))
            ], today: "2026-03-31", timeZone: "UTC")
        #expect(
            filter.matches(
                Self.record("Opportunity", ["stage": "Negotiation", "closeDate": "2027-06-30"]), user: "rita"))
        #expect(filter.matches(Self.record("Opportunity", ["stage": "Prospecting"]), user: "rita"))
        #expect(
            filter.matches(
                Self.record("Opportunity", ["stage": "Closed Won", "closeDate": "2026-02-15"]), user: "rita"))
        #expect(
            !filter.matches(
                Self.record("Opportunity", ["stage": "Closed Won", "closeDate": "2025-12-31"]), user: "rita"))
        #expect(!filter.matches(Self.record("Opportunity", ["stage": "Closed Lost"]), user: "rita"))
        // orWhen widens the window only: ownership still decides first.
        #expect(!filter.matches(Self.record("Opportunity", owner: "peter", ["stage": "Negotiation"]), user: "rita"))
    }

    // MARK: - Package changes

    @Test func onlyAddingRemovingOrRetypingTypesAndFieldsIsStructural() throws {
        let base = Self.package
        #expect(!base.isStructurallyDifferent(from: base))

        var relabelled = base
        relabelled.types["Account"]?.label = "Company"
        relabelled.types["Account"]?.fields["name"]?.label = "Company name"
        relabelled.types["Account"]?.fields["name"]?.maxLength = 100
        relabelled.filters = []
        #expect(!relabelled.isStructurallyDifferent(from: base))

        var added = base
        added.types["Account"]?.fields["vatNumber"] = FieldDefinition(kind: .text)
        #expect(added.isStructurallyDifferent(from: base))
        #expect(base.isStructurallyDifferent(from: added))

        var removedType = base
        removedType.types["Note"] = nil
        #expect(removedType.isStructurallyDifferent(from: base))

        var retyped = base
        retyped.types["Account"]?.fields["employees"]?.kind = .text
        #expect(retyped.isStructurallyDifferent(from: base))

        var retargeted = base
        retargeted.types["Contact"]?.fields["accountId"]?.target = ["Account", "Contact"]
        #expect(retargeted.isStructurallyDifferent(from: base))
    }
}
