import CRMDesktop
import CRMModel
import CRMSyncProtocol
import Foundation
import Testing

/// Records built in memory, shown through the default package as a sales rep sees it.
private struct Shelf {
    let package: CustomizationPackage
    let presenter: RecordPresenter
    let acme: LocalRecord
    let globex: LocalRecord
    let ada: LocalRecord
    let alan: LocalRecord
    let grace: LocalRecord

    init() throws {
        package = try #require(try DefaultPackage.load().resolved(for: "sales-rep"))
        presenter = RecordPresenter(package: package, timeZone: TimeZone(identifier: "UTC")!)
        acme = Self.local(
            "0190000a-0000-7000-8000-000000000000", "Account",
            ["name": "Acme GmbH", "city": "Berlin", "employees": 120, "industry": "Retail"])
        globex = Self.local(
            "0190000b-0000-7000-8000-000000000000", "Account",
            ["name": "Globex", "city": "berlin", "employees": 9, "industry": "Energy"], pendingOps: 1)
        ada = Self.local(
            "019000c1-0000-7000-8000-000000000000", "Contact",
            ["firstName": "Ada", "lastName": "Lovelace", "accountId": .string(acme.id), "email": "ada@acme.test"])
        alan = Self.local(
            "019000c2-0000-7000-8000-000000000000", "Contact",
            ["firstName": "Alan", "lastName": "Turing", "accountId": .string(globex.id)], failedOps: 1)
        grace = Self.local(
            "019000c3-0000-7000-8000-000000000000", "Contact", ["firstName": "Grace", "lastName": "Hopper"],
            incomplete: true)
    }

    var accounts: [LocalRecord] { [acme, globex] }
    var contacts: [LocalRecord] { [ada, alan, grace] }
    var titles: [String: String] { [acme.id: "Acme GmbH", globex.id: "Globex"] }

    static func local(
        _ id: String, _ type: String, _ fields: [String: FieldValue], pendingOps: Int = 0, failedOps: Int = 0,
        incomplete: Bool = false
    ) -> LocalRecord {
        let time = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC
        let record = Record(
            id: id, type: type, version: 2, owner: "rita", createdAt: time, updatedAt: time.addingTimeInterval(3900),
            updatedBy: "rita", fields: fields)
        return LocalRecord(
            record: record, incomplete: incomplete, serverVersion: 2, pendingOps: pendingOps + failedOps,
            failedOps: failedOps, deletedLocally: false)
    }
}

@Suite struct RecordPresenterTests {
    @Test func tableShowsTheFormsListColumnsUnderTheirLabelsWithShortIDsAndMarks() throws {
        let shelf = try Shelf()
        let table = shelf.presenter.table(shelf.contacts, type: "Contact", titles: shelf.titles)
        #expect(table.headers == ["ID", "Last name", "First name", "Account", "Email", "Work phone", "Mobile"])
        #expect(table.rows[0] == ["019000c1", "Lovelace", "Ada", "Acme GmbH", "ada@acme.test", "", ""])
        #expect(table.rows[1][0] == "019000c2!")
        #expect(table.rows[1][3] == "Globex")
        #expect(table.rows[2][0] == "019000c3 (ref)")
        let accounts = shelf.presenter.table(shelf.accounts, type: "Account")
        #expect(accounts.headers == ["ID", "Account name", "Industry", "City", "Country", "Phone", "Owner"])
        #expect(accounts.rows[1] == ["0190000b*", "Globex", "Energy", "berlin", "", "", "rita"])
        let legend = try #require(shelf.presenter.legend(shelf.contacts))
        #expect(legend.contains("! edits the server refused") && legend.contains("(ref) read-only"))
        #expect(shelf.presenter.legend([shelf.acme]) == nil)
    }

    @Test func dateTimesShowInThePresentersZoneToTheMinute() throws {
        let shelf = try Shelf()
        let call = Shelf.local(
            "019000d1-0000-7000-8000-000000000000", "Activity",
            ["subject": "Call", "start": "2026-03-01T14:05:30.000Z", "due": "2026-03-02"])
        #expect(shelf.presenter.text("start", of: call.record) == "2026-03-01 14:05")
        #expect(shelf.presenter.text("due", of: call.record) == "2026-03-02")
        #expect(shelf.presenter.rawText("start", of: call.record) == "2026-03-01T14:05:30.000Z")
        let berlin = RecordPresenter(package: shelf.package, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(berlin.text("start", of: call.record) == "2026-03-01 15:05")
    }

    @Test func aReferenceWithoutAKnownTitleShowsItsShortID() throws {
        let shelf = try Shelf()
        let row = shelf.presenter.table([shelf.ada], type: "Contact").rows[0]
        #expect(row[3] == "0190000a")
        let ids = shelf.presenter.referencedIDs(in: shelf.contacts, fields: shelf.presenter.columns("Contact"))
        #expect(ids == [shelf.acme.id, shelf.globex.id])
    }

    @Test func csvHasFullIDsFieldNamesAndStoredValues() throws {
        let shelf = try Shelf()
        let csv = shelf.presenter.csv([shelf.ada], type: "Contact")
        #expect(
            csv == "id,lastName,firstName,accountId,email,phone,mobile\r\n"
                + "\(shelf.ada.id),Lovelace,Ada,\(shelf.acme.id),ada@acme.test,,\r\n")
    }

    @Test func jsonIsAnArrayOfRecordsAsTheServerWritesThem() throws {
        let shelf = try Shelf()
        let json = shelf.presenter.json(shelf.accounts)
        let records = try CRMJSON.decoder().decode([Record].self, from: Data(json.utf8))
        #expect(records == shelf.accounts.map(\.record))
        #expect(shelf.presenter.json([]) == "[]\n")
        let one = try CRMJSON.decoder().decode(Record.self, from: Data(shelf.presenter.json(shelf.ada).utf8))
        #expect(one == shelf.ada.record)
    }

    @Test func whereMatchesTheShownTextOrTheStoredValueIgnoringCase() throws {
        let shelf = try Shelf()
        let inBerlin = try RecordQuery(where: ["city=BERLIN"], sort: nil, limit: nil)
        #expect(inBerlin.apply(to: shelf.accounts, presenter: shelf.presenter).map(\.id) == [shelf.acme.id, shelf.globex.id])
        let atAcme = try RecordQuery(where: ["accountId=acme gmbh"], sort: nil, limit: nil)
        #expect(atAcme.apply(to: shelf.contacts, presenter: shelf.presenter, titles: shelf.titles).map(\.id) == [shelf.ada.id])
        let byID = try RecordQuery(where: ["accountId=\(shelf.globex.id)"], sort: nil, limit: nil)
        #expect(byID.apply(to: shelf.contacts, presenter: shelf.presenter).map(\.id) == [shelf.alan.id])
        let both = try RecordQuery(where: ["city=berlin", "industry=energy"], sort: nil, limit: nil)
        #expect(both.apply(to: shelf.accounts, presenter: shelf.presenter).map(\.id) == [shelf.globex.id])
        let empty = try RecordQuery(where: ["accountId="], sort: nil, limit: nil)
        #expect(empty.apply(to: shelf.contacts, presenter: shelf.presenter).map(\.id) == [shelf.grace.id])
    }

    @Test func sortComparesNumbersAsNumbersTextIgnoringCaseAndPutsEmptyValuesLast() throws {
        let shelf = try Shelf()
        let byEmployees = try RecordQuery(where: [], sort: "employees", limit: nil)
        // As text "120" < "9"; as numbers 9 < 120.
        #expect(byEmployees.apply(to: shelf.accounts, presenter: shelf.presenter).map(\.id) == [shelf.globex.id, shelf.acme.id])
        let descending = try RecordQuery(where: [], sort: "-employees", limit: nil)
        #expect(descending.apply(to: shelf.accounts, presenter: shelf.presenter).map(\.id) == [shelf.acme.id, shelf.globex.id])
        let byAccount = try RecordQuery(where: [], sort: "-accountId", limit: nil)
        #expect(
            byAccount.apply(to: shelf.contacts, presenter: shelf.presenter, titles: shelf.titles).map(\.id)
                == [shelf.alan.id, shelf.ada.id, shelf.grace.id])
        let byName = try RecordQuery(where: [], sort: "lastName", limit: 2)
        #expect(byName.apply(to: shelf.contacts, presenter: shelf.presenter).map(\.id) == [shelf.grace.id, shelf.ada.id])
    }

    @Test func queryFlagsAreCheckedAndNamed() throws {
        let shelf = try Shelf()
        #expect(throws: DesktopError.self) { try RecordQuery(where: ["city"], sort: nil, limit: nil) }
        let badWhere = #expect(throws: DesktopError.self) {
            try RecordQuery(where: ["town=Berlin"], sort: nil, limit: nil).check(type: "Account", presenter: shelf.presenter)
        }
        #expect(badWhere?.field == "--where")
        let badSort = #expect(throws: DesktopError.self) {
            try RecordQuery(where: [], sort: "-size", limit: nil).check(type: "Account", presenter: shelf.presenter)
        }
        #expect(badSort?.field == "--sort")
        let badLimit = #expect(throws: DesktopError.self) { try RecordQuery(where: [], sort: nil, limit: -1) }
        #expect(badLimit?.field == "--limit")
        try RecordQuery(where: ["owner=rita"], sort: "updatedAt", limit: 1).check(type: "Account", presenter: shelf.presenter)
    }

    @Test func showHasTheTitleSectionsSystemFieldsStateAndRelatedRecords() throws {
        let shelf = try Shelf()
        let failed = OutboxOp(
            seq: 7, op: SyncOp(opId: "op", kind: .update, type: "Contact", id: shelf.alan.id, editedAt: Date()),
            state: .failed,
            failure: OpFailure(
                message: "refused", issues: [FieldIssue(field: "email", code: .badFormat, message: "not an email")]))
        let alan = shelf.presenter.detail(
            RecordDetail(record: shelf.alan, referenced: [shelf.globex.id: shelf.globex], ops: [failed]))
        #expect(alan.hasPrefix("Contact: Alan Turing\n\nContact\n  First name:  Alan\n  Last name:   Turing\n  Account:     Globex\n"))
        #expect(alan.contains("\nRecord\n  Owner:       rita\n  Created:     2026-01-01 00:00\n  Updated:     2026-01-01 01:05\n"))
        #expect(alan.contains("\nSystem\n  Id:       \(shelf.alan.id)\n  Version:  2\n"))
        #expect(alan.contains("  failed op 7 (update): refused\n    email: not an email"))
        #expect(alan.contains("\nRefers to\n  Account:  Globex (Account \(shelf.globex.id))"))
        #expect(!alan.contains("Related"))

        let acme = shelf.presenter.detail(RecordDetail(record: shelf.acme, referencing: [shelf.ada]))
        #expect(acme.hasPrefix("Account: Acme GmbH\n\nAccount\n  Account name:  Acme GmbH\n  Industry:      Retail\n"))
        #expect(acme.contains("\nCompany profile\n  Employees:  120\n"))
        #expect(acme.hasSuffix("\nRelated\n  Contact  Ada Lovelace  \(shelf.ada.id)  (Account)\n"))
        #expect(!acme.contains("State"))

        let grace = shelf.presenter.detail(RecordDetail(record: shelf.grace))
        #expect(grace.contains("read-only: this record is here only because a record you sync refers to it"))
        let unknownTarget = shelf.presenter.detail(RecordDetail(record: shelf.ada))
        #expect(unknownTarget.contains("Account:  \(shelf.acme.id) (not on this desktop)"))
    }

    @Test func shortIDsGrowWhereIDsShareTheirFirstCharacters() {
        let ids = [
            "018bcfe5-6801-70e6-9815-de3488ddf3ac", "018bcfe5-6801-7bcd-b60d-8b3c0faa23b5",
            "018bcfe5-6802-70e6-9815-de3488ddf3ac", "0190abcd-0000-7000-8000-000000000000",
        ]
        #expect(
            RecordPresenter.shortIDs(ids) == [
                ids[0]: "018bcfe5-6801-70", ids[1]: "018bcfe5-6801-7b", ids[2]: "018bcfe5-6802",
                ids[3]: "0190abcd",
            ])
    }

    @Test func anOpsSummaryNamesItInOneLine() {
        let op = SyncOp(
            opId: "op", kind: .update, type: "Contact", id: "019000c1-0000-7000-8000-000000000000",
            fields: ["phone": "+49 30 1234", "lastName": "Smith"], editedAt: Date())
        #expect(op.summary == "update Contact \(op.id) lastName=Smith, phone=+49 30 1234")
    }
}
