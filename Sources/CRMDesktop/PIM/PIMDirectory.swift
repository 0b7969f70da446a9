import CRMModel
import Foundation
import PIMBridge

/// The replica's records as the PIM mapping needs them: titles (an account's name for ORG) and contacts'
/// email addresses (for ATTENDEE), read once per PIM sync.
struct PIMDirectory: RecordDirectory {
    let table: RecordDirectoryTable

    static func build(replica: Replica, user: String) throws -> PIMDirectory {
        let package = try replica.requirePackage()
        var table = RecordDirectoryTable()
        for (typeName, _) in package.types {
            let titleFields = package.forms?[typeName]?.title ?? ["name"]
            for local in try replica.localRecords(type: typeName, user: user) {
                let title = titleFields.compactMap { local.fields[$0]?.stringValue }.joined(separator: " ")
                if !title.isEmpty { table.titles[local.id] = title }
                table.types[local.id] = typeName
                if typeName == "Contact", let email = local.fields["email"]?.stringValue { table.emails[local.id] = email }
            }
        }
        return PIMDirectory(table: table)
    }

    func title(of id: String) -> String? { table.title(of: id) }
    func email(of id: String) -> String? { table.email(of: id) }
    func id(titled title: String, types: [String]) -> String? { table.id(titled: title, types: types) }
    func id(withEmail email: String) -> String? { table.id(withEmail: email) }
}
