import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

@Suite struct RecordCRUDTests {
    /// A valid record of each default type, given the ids of an account and a contact to refer to.
    static func samples(account: String, contact: String) -> [(String, [String: FieldValue])] {
        [
            ("Account", ["name": "Globex Corporation", "industry": "Manufacturing", "city": "Springfield"]),
            ("Contact", ["firstName": "Hank", "lastName": "Scorpio", "email": "hank@globex.example", "accountId": .string(account)]),
            ("Opportunity", [
                "name": "Doomsday device", "stage": "Proposal", "amount": .number(Decimal(string: "1250000.50")!),
                "accountId": .string(account), "contactIds": .array([.string(contact)]),
            ]),
            ("ServiceRequest", ["title": "Laser misaligned", "status": "Open", "priority": "High", "accountId": .string(account)]),
            ("Activity", [
                "subject": "Kick-off", "display": "calendar", "start": "2026-12-01T09:00:00+01:00",
                "end": "2026-12-01T10:00:00+01:00", "timeZone": "Europe/Berlin", "contactIds": .array([.string(contact)]),
            ]),
            ("Note", ["body": "Prefers calls after lunch.", "parentId": .string(contact)]),
        ]
    }

    /// One field of each type to change, with its new value.
    static let edits: [String: (String, FieldValue)] = [
        "Account": ("name", "Globex Inc."), "Contact": ("title", "CEO"), "Opportunity": ("stage", "Negotiation"),
        "ServiceRequest": ("status", "In Progress"), "Activity": ("subject", "Kick-off (moved)"),
        "Note": ("body", "Prefers email."),
    ]

    @Test func everyDefaultTypeCanBeCreatedReadListedUpdatedAndDeleted() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Seed account"], token: token)
            let contact = try await api.create("Contact", ["lastName": "Seed", "accountId": .string(account.id)], token: token)
            for (type, fields) in Self.samples(account: account.id, contact: contact.id) {
                let created = try await api.send(.post, "/api/v1/records/\(type)", token: token, json: RecordWrite(fields: fields))
                #expect(created.status == .created, "\(type): \(created.text)")
                let record = try created.decode(Record.self)
                #expect(record.version == 1 && record.owner == "rita" && record.type == type)
                #expect(created.headers[.location] == "/api/v1/records/\(type)/\(record.id)")
                for (name, value) in fields { #expect(record.fields[name] == value, "\(type).\(name)") }

                let read = try await api.send(.get, "/api/v1/records/\(type)/\(record.id)", token: token)
                #expect(read.status == .ok)
                #expect(read.headers[.eTag] == "\"1\"")
                #expect(try read.decode(Record.self) == record)

                let list = try await api.send(.get, "/api/v1/records/\(type)?limit=100", token: token)
                #expect(try list.decode(RecordList.self).records.contains { $0.id == record.id })

                let (field, change) = Self.edits[type]!
                var headers = HTTPFields()
                headers[.ifMatch] = "\"1\""
                let updated = try await api.send(
                    .patch, "/api/v1/records/\(type)/\(record.id)", token: token,
                    json: RecordWrite(fields: [field: change]), headers: headers)
                #expect(updated.status == .ok, "\(type): \(updated.text)")
                let after = try updated.decode(Record.self)
                #expect(after.version == 2 && after.fields[field] == change)
                #expect(after.fieldVersions[field]?.version == 2)
                let untouched = fields.keys.first { $0 != field }!
                #expect(after.fields[untouched] == record.fields[untouched])
                #expect(after.fieldVersions[untouched]?.version == 1)

                let deleted = try await api.send(.delete, "/api/v1/records/\(type)/\(record.id)", token: token)
                #expect(deleted.status == .ok)
                #expect(try await api.send(.get, "/api/v1/records/\(type)/\(record.id)", token: token).status == .notFound)
            }
        }
    }

    @Test func anUpdateChangesOnlyTheFieldsSentAndKeepsOthersChangedMeanwhile() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let record = try await api.create("Account", ["name": "Initech", "city": "Austin"], token: token)
            let first = try await api.send(.patch, "/api/v1/records/Account/\(record.id)", token: token, json: RecordWrite(fields: ["city": "Dallas"]))
            #expect(first.status == .ok, "\(first.text)")
            let second = try await api.send(.patch, "/api/v1/records/Account/\(record.id)", token: token, json: RecordWrite(fields: ["industry": "Banking"]))
            let after = try second.decode(Record.self)
            #expect(after.fields["city"] == "Dallas" && after.fields["industry"] == "Banking" && after.fields["name"] == "Initech")
            #expect(after.version == 3)
            let clear = try await api.send(.patch, "/api/v1/records/Account/\(record.id)", token: token, json: RecordWrite(fields: ["city": .null]))
            #expect(clear.status == .ok, "\(clear.text)")
            #expect(try clear.decode(Record.self).fields["city"] == nil)
        }
    }

    @Test func aStaleIfMatchIsAnswered412WithTheCurrentRecordAndChangesNothing() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let record = try await api.create("Account", ["name": "Umbrella"], token: token)
            _ = try await api.send(.patch, "/api/v1/records/Account/\(record.id)", token: token, json: RecordWrite(fields: ["city": "Raccoon City"]))
            var headers = HTTPFields()
            headers[.ifMatch] = "\"1\""
            let stale = try await api.send(
                .patch, "/api/v1/records/Account/\(record.id)", token: token, json: RecordWrite(fields: ["name": "Umbrella Corp"]),
                headers: headers)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.errorCode == "stale-version")
            let current = try #require(stale.decode(ErrorBody.self).current)
            #expect(current.version == 2 && current.fields["city"] == "Raccoon City" && current.fields["name"] == "Umbrella")
            let staleDelete = try await api.send(.delete, "/api/v1/records/Account/\(record.id)", token: token, headers: headers)
            #expect(staleDelete.status == .preconditionFailed)
            #expect(try await api.send(.get, "/api/v1/records/Account/\(record.id)", token: token).status == .ok)
        }
    }

    @Test func aClientMintedIdIsKeptAndASecondCreateWithItConflicts() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let id = UUID().uuidString
            let first = try await api.send(.post, "/api/v1/records/Account", token: token, json: RecordWrite(fields: ["name": "Acme"], id: id))
            #expect(try first.decode(Record.self).id == id.lowercased())
            let second = try await api.send(.post, "/api/v1/records/Account", token: token, json: RecordWrite(fields: ["name": "Acme 2"], id: id))
            #expect(second.status == .conflict)
        }
    }

    @Test func textWithQuotesSQLHTMLAndEmojiIsStoredAndReturnedVerbatim() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let nasty = "O'Brien \"Bob\"; DROP TABLE records; -- <script>alert('x')</script> 😀👍🏽 \\ \n tab\t ü"
            let record = try await api.create("Account", ["name": .string(nasty)], token: token)
            let read = try await api.send(.get, "/api/v1/records/Account/\(record.id)", token: token)
            #expect(try read.decode(Record.self).fields["name"] == .string(nasty))
            let found = try await api.send(.get, "/api/v1/records/Account?name=\(nasty.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: token)
            #expect(try found.decode(RecordList.self).records.map(\.id) == [record.id])
        }
    }

    @Test func decimalsTravelExactly() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Bank"], token: token)
            let body = #"{"fields":{"name":"Big deal","stage":"Proposal","accountId":"\#(account.id)","amount":12345678901234567.89}}"#
            let created = try await api.send(.post, "/api/v1/records/Opportunity", token: token, body: body)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.text.contains("12345678901234567.89"))
        }
    }
}
