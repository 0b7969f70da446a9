import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

@Suite struct ListTests {
    @Test func pagingWithTheCursorWalksEveryRecordOnceInOrder() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            var created: [String] = []
            for index in 0..<23 {
                let city: FieldValue = index % 4 == 0 ? .null : .string(["Oslo", "Bergen", "Tromsø"][index % 3])
                var fields: [String: FieldValue] = ["name": .string("Company \(index)")]
                if city != .null { fields["city"] = city }
                created.append(try await api.create("Account", fields, token: token).id)
            }
            for sort in ["city", "-city", "name", "-createdAt"] {
                var seen: [Record] = []
                var cursor: String?
                repeat {
                    let query = "limit=5&sort=\(sort)" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await api.send(.get, "/api/v1/records/Account?\(query)", token: token).decode(RecordList.self)
                    #expect(page.records.count <= 5)
                    seen += page.records
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(seen.count == 23, "\(sort)")
                #expect(Set(seen.map(\.id)) == Set(created), "\(sort)")
                if sort == "name" {
                    let names = seen.compactMap { $0.fields["name"]?.stringValue }
                    #expect(names == names.sorted(), "\(sort)")
                }
                if sort == "-city" {
                    let cities = seen.map { $0.fields["city"]?.stringValue }
                    #expect(cities.prefix(while: { $0 != nil }).count == 17)
                    #expect(cities.compactMap { $0 } == cities.compactMap { $0 }.sorted(by: >))
                }
            }
        }
    }

    @Test func listsFilterByFieldValuesAndReferences() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let globex = try await api.create("Account", ["name": "Globex"], token: token)
            let acme = try await api.create("Account", ["name": "Acme"], token: token)
            let first = try await api.create(
                "Opportunity", ["name": "A", "stage": "Proposal", "amount": 100, "accountId": .string(globex.id)], token: token)
            _ = try await api.create(
                "Opportunity", ["name": "B", "stage": "Negotiation", "amount": 250, "accountId": .string(globex.id)], token: token)
            _ = try await api.create(
                "Opportunity", ["name": "C", "stage": "Proposal", "amount": 100, "accountId": .string(acme.id)], token: token)
            func names(_ query: String) async throws -> [String] {
                let reply = try await api.send(.get, "/api/v1/records/Opportunity?\(query)", token: token)
                return try reply.decode(RecordList.self).records.compactMap { $0.fields["name"]?.stringValue }.sorted()
            }
            #expect(try await names("stage=Proposal") == ["A", "C"])
            #expect(try await names("accountId=\(globex.id)") == ["A", "B"])
            #expect(try await names("accountId=\(globex.id.uppercased())&stage=Proposal") == ["A"])
            #expect(try await names("amount=100") == ["A", "C"])
            #expect(try await names("amount=100.00") == ["A", "C"])
            #expect(try await names("sort=-amount&limit=1") == ["B"])
            let badNumber = try await api.send(.get, "/api/v1/records/Opportunity?amount=lots", token: token)
            #expect(badNumber.status == .badRequest && badNumber.errorField == "amount")
            _ = first
        }
    }
}
