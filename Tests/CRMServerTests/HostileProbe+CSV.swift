import CRMModel
import CRMTesting
import Foundation
import HTTPTypes

extension HostileProbe {
    /// CSV: an export holds only what the caller sees, and an import row naming a hidden record by its id
    /// answers as one naming a record the caller sees of another type (both "none you can see"), changing
    /// nothing.
    mutating func csv(as user: String) async throws {
        let token = token(user)
        let api = self.api
        let holdings = world.holdings[user]!
        for type in ["Account", "Contact", "Opportunity", "ServiceRequest", "Activity", "Note"] {
            let export = try await api.send(.get, "/api/v1/records/\(type)/export", token: token)
            let ids = export.text.components(separatedBy: "\r\n").dropFirst().map { String($0.prefix { $0 != "," }) }
            expectVisible(user, ids.filter { RecordID.isCanonical($0) }, in: "CSV export of \(type)")
        }
        for record in world.hidden(from: user) where record.type != ConflictRecord.typeName {
            let type = record.type
            let names = ["Account": "name", "Contact": "lastName", "Opportunity": "name", "ServiceRequest": "title",
                         "Activity": "subject", "Note": "body"]
            guard let field = names[type] else { continue }
            // An id the caller sees, of another type: "no TYPE you can see has the id".
            let seen = type == "Activity" ? holdings.contact.id : holdings.activity
            try await compare("\(user) import \(type)", hidden: record.id, unknown: seen, what: "\(type) of \(record.owner)") {
                try await api.send(
                    .post, "/api/v1/records/\(type)/import?duplicates=update", token: token,
                    body: "id,\(field)\r\n\($0),mine now\r\n",
                    headers: [.contentType: "text/csv"])
            }
        }
    }
}
