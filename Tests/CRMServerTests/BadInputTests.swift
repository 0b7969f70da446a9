import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// Bad input gets a clear error naming what is wrong, nothing is stored half-way, and the server keeps serving.
@Suite struct BadInputTests {
    @Test func malformedJSONIs400AndTheServerKeepsServing() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            for body in ["{\"fields\": {\"name\": ", "not json", "[1,2]", "{\"fields\": 3}", ""] {
                let reply = try await api.send(.post, "/api/v1/records/Account", token: token, body: body)
                #expect(reply.status == .badRequest, "\(body): \(reply.text)")
                #expect(reply.errorCode == "malformed")
            }
            let login = try await api.send(.post, "/api/v1/sessions", body: "{\"username\": \"rita\"}")
            #expect(login.status == .badRequest)
            #expect(login.errorField == "password")
            #expect(try await server.store.countByType()["Account"] == nil)
            #expect(try await api.send(.get, "/healthz").status == .ok)
        }
    }

    @Test func invalidFieldsAreAllReportedAt422AndNothingIsStored() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("maria")
            let reply = try await api.send(
                .post, "/api/v1/records/Opportunity", token: token,
                body: #"{"fields": {"stage": "Won-ish", "amount": "a lot", "closeDate": "2026-02-30", "probability": 140, "colour": "red"}}"#)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorCode == "validation")
            #expect(reply.issueFields == ["stage", "amount", "closeDate", "probability", "colour", "name"])
            let issues = try reply.decode(ErrorBody.self).error.issues ?? []
            let codes = Dictionary(uniqueKeysWithValues: issues.map { ($0.field, $0.code) })
            #expect(codes["stage"] == .notInList)
            #expect(codes["amount"] == .wrongKind)
            #expect(codes["closeDate"] == .badFormat)
            #expect(codes["probability"] == .outOfRange)
            #expect(codes["colour"] == .unknownField)
            #expect(codes["name"] == .required)
            #expect(try await server.store.countByType().isEmpty)
        }
    }

    @Test func rulesOfThePackageAreEnforcedOnCreateAndUpdate() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let backwards = try await api.send(
                .post, "/api/v1/records/Activity", token: token,
                json: RecordWrite(fields: [
                    "subject": "Time travel", "display": "calendar", "start": "2026-12-01T10:00:00Z",
                    "end": "2026-12-01T09:00:00Z",
                ]))
            #expect(backwards.status == .unprocessableContent)
            #expect(backwards.errorField == "end")
            let account = try await api.create("Account", ["name": "Wonka"], token: token)
            let deal = try await api.create(
                "Opportunity", ["name": "Golden ticket", "stage": "Negotiation", "accountId": .string(account.id)], token: token)
            let won = try await api.send(
                .patch, "/api/v1/records/Opportunity/\(deal.id)", token: token, json: RecordWrite(fields: ["stage": "Closed Won"]))
            #expect(won.status == .unprocessableContent)
            #expect(won.errorField == "closeDate")
            let wonWithDate = try await api.send(
                .patch, "/api/v1/records/Opportunity/\(deal.id)", token: token,
                json: RecordWrite(fields: ["stage": "Closed Won", "closeDate": "2026-11-30"]))
            #expect(wonWithDate.status == .ok)
            let cleared = try await api.send(
                .patch, "/api/v1/records/Opportunity/\(deal.id)", token: token, json: RecordWrite(fields: ["name": .null]))
            #expect(cleared.status == .unprocessableContent)
            #expect(cleared.issueFields == ["name"])
        }
    }

    @Test func unknownTypeIs404AndUnknownFilterOrSortIs400() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            #expect(try await api.send(.get, "/api/v1/records/Spaceship", token: token).status == .notFound)
            let create = try await api.send(.post, "/api/v1/records/Spaceship", token: token, json: RecordWrite(fields: ["name": "x"]))
            #expect(create.status == .notFound)
            let filter = try await api.send(.get, "/api/v1/records/Account?colour=red", token: token)
            #expect(filter.status == .badRequest && filter.errorField == "colour")
            let sort = try await api.send(.get, "/api/v1/records/Account?sort=-colour", token: token)
            #expect(sort.status == .badRequest && sort.errorField == "sort")
            let cursor = try await api.send(.get, "/api/v1/records/Account?cursor=garbage", token: token)
            #expect(cursor.status == .badRequest && cursor.errorField == "cursor")
            let wrongMethod = try await api.send(.put, "/api/v1/records/Account", token: token, json: RecordWrite(fields: [:]))
            #expect(wrongMethod.status == .notFound && wrongMethod.errorCode == "not-found")
            let badID = try await api.send(.get, "/api/v1/records/Account/not-a-uuid", token: token)
            #expect(badID.status == .notFound)
            var headers = HTTPFields()
            headers[.ifMatch] = "yesterday"
            let account = try await api.create("Account", ["name": "x"], token: token)
            let ifMatch = try await api.send(
                .patch, "/api/v1/records/Account/\(account.id)", token: token, json: RecordWrite(fields: ["name": "y"]), headers: headers)
            #expect(ifMatch.status == .badRequest)
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        let server = try await TestServer.make(configuration: ServerConfiguration(bcryptCost: 4, maxBodyBytes: 2048))
        try await server.run { api in
            let token = try await api.login("rita")
            let big = String(repeating: "x", count: 4096)
            let reply = try await api.send(.post, "/api/v1/records/Note", token: token, json: RecordWrite(fields: ["body": .string(big)]))
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorCode == "too-large")
            #expect(try await server.store.countByType().isEmpty)
            let small = try await api.send(.post, "/api/v1/records/Note", token: token, json: RecordWrite(fields: ["body": "ok"]))
            #expect(small.status == .created)
        }
    }

    @Test func aReadOnlyFieldOfTheRoleIsRefused() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let package = try await api.send(.get, "/api/v1/package", token: rita).decode(CustomizationPackage.self)
            let readOnly = try #require(
                package.types["Opportunity"]?.fields.first { $0.value.isReadOnly }?.key, "sales-rep has a read-only field")
            let account = try await api.create("Account", ["name": "Tyrell"], token: rita)
            let value: FieldValue = package.types["Opportunity"]!.fields[readOnly]!.kind == .number ? 50 : "x"
            let reply = try await api.send(
                .post, "/api/v1/records/Opportunity", token: rita,
                json: RecordWrite(fields: ["name": "Replicants", "stage": "Proposal", "accountId": .string(account.id), readOnly: value]))
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorField == readOnly)
        }
    }
}
