import CRMModel
import Foundation
import PIMBridge

/// The replica's records as the PIM mapping needs them: titles (an account's name for ORG) and contacts'
/// email addresses (for ATTENDEE), read once per PIM step, for the types mapped records refer to.
struct PIMDirectory: RecordDirectory {
    let table: RecordDirectoryTable
    /// The types read into it.
    var types: Set<String> = []

    /// - Parameter types: the types to read (see `types(referencedBy:in:)`); nil: every type a mapped record can
    ///   point to.
    static func build(replica: Replica, user: String, types: Set<String>? = nil) throws -> PIMDirectory {
        let package = try replica.requirePackage()
        var table = RecordDirectoryTable()
        // Only the types a mapped record can point to (ORG names, ATTENDEE addresses), not the whole replica.
        let mapper = PIMMapper(package: package)
        var wanted = Set<String>()
        for collection in PIMCollection.allCases {
            for (typeName, _) in mapper.mappings(into: collection) {
                for field in package.types[typeName]?.fields.values ?? [:].values where field.kind.isReference {
                    wanted.formUnion(field.target ?? [])
                }
            }
        }
        if let types { wanted.formIntersection(types) }
        for typeName in wanted.sorted() where package.types[typeName] != nil {
            let titleFields = package.forms?[typeName]?.title ?? ["name"]
            for local in try replica.localRecords(type: typeName, user: user) {
                let title = titleFields.compactMap { local.fields[$0]?.stringValue }.joined(separator: " ")
                if !title.isEmpty { table.titles[local.id] = title }
                table.types[local.id] = typeName
                if typeName == "Contact", let email = local.fields["email"]?.stringValue { table.emails[local.id] = email }
            }
        }
        return PIMDirectory(table: table, types: types ?? wanted)
    }

    /// The types whose records the mapping into `collection` reads: the targets of the reference fields its
    /// mappings name (Account for a contact's ORG, Contact for an event's ATTENDEE).
    static func types(referencedBy mapper: PIMMapper, in collection: PIMCollection) -> Set<String> {
        var types = Set<String>()
        for (typeName, mapping) in mapper.mappings(into: collection) {
            for field in mapping.properties.keys {
                guard let definition = mapper.package.types[typeName]?.fields[field], definition.kind.isReference
                else { continue }
                types.formUnion(definition.target ?? [])
            }
        }
        return types
    }

    func title(of id: String) -> String? { table.title(of: id) }
    func email(of id: String) -> String? { table.email(of: id) }
    func id(titled title: String, types: [String]) -> String? { table.id(titled: title, types: types) }
    func id(withEmail email: String) -> String? { table.id(withEmail: email) }
    func contains(_ id: String) -> Bool { table.contains(id) }
}
