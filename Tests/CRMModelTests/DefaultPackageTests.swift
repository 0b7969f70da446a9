import Foundation
import Testing

@testable import CRMModel

@Suite struct DefaultPackageTests {
    /// The names DESIGN section 2 promises, with their kinds: scripts and tests rely on them.
    static let designFields: [String: [String: FieldKind]] = [
        "Account": [
            "name": .text, "industry": .picklist, "phone": .phone, "website": .url, "city": .text, "country": .text,
        ],
        "Contact": [
            "firstName": .text, "lastName": .text, "email": .email, "phone": .phone, "mobile": .phone,
            "title": .text, "accountId": .reference,
        ],
        "Opportunity": [
            "name": .text, "accountId": .reference, "stage": .picklist, "amount": .currency, "closeDate": .date,
            "probability": .number, "contactIds": .references,
        ],
        "ServiceRequest": [
            "title": .text, "accountId": .reference, "contactId": .reference, "status": .picklist,
            "priority": .picklist, "severity": .picklist, "description": .text,
        ],
        "Activity": [
            "subject": .text, "kind": .picklist, "display": .picklist, "start": .datetime, "end": .datetime,
            "allDay": .boolean, "due": .date, "status": .picklist, "priority": .picklist, "location": .text,
            "description": .text, "timeZone": .text, "accountId": .reference, "opportunityId": .reference,
            "serviceRequestId": .reference, "contactIds": .references, "messageId": .text, "icalUid": .text,
        ],
        "Note": ["body": .text, "parentId": .reference],
    ]

    static let requiredFields: [String: [String]] = [
        "Account": ["name"], "Contact": ["lastName"], "Opportunity": ["name", "stage"],
        "ServiceRequest": ["title", "status"], "Activity": ["subject", "display"], "Note": ["body"],
    ]

    static let roles = ["sales-rep", "sales-manager", "service-agent", "admin"]

    @Test func defaultPackageLoads() throws {
        let package = try DefaultPackage.load()
        #expect(package.name == "default")
        #expect(package.currency == "EUR")
        #expect(Set(package.types.keys) == Set(Self.designFields.keys))
        #expect(Set((package.roles ?? [:]).keys) == Set(Self.roles))
        for (typeName, fields) in Self.designFields {
            let type = try #require(package.type(typeName), "\(typeName)")
            for (fieldName, kind) in fields {
                #expect(type.fields[fieldName]?.kind == kind, "\(typeName).\(fieldName)")
            }
        }
        for (typeName, fields) in Self.requiredFields {
            for field in fields {
                #expect(package.types[typeName]?.fields[field]?.isRequired == true, "\(typeName).\(field)")
            }
        }
        #expect(package.lists["activityDisplays"] == ["calendar", "todo", "email"])
        #expect(package.types["Activity"]?.globalKeys?.contains("messageId") == true)
        #expect(package.types["Opportunity"]?.fields["accountId"]?.deleteRule == .restrict)
        #expect(package.types["Contact"]?.fields["accountId"]?.deleteRule == .nullify)
        #expect(package.types["Note"]?.fields["parentId"]?.deleteRule == .cascade)
        #expect(package.types["Note"]?.fields["parentId"]?.allowsTarget("ServiceRequest") == true)
        #expect(package.filters?.filter(\.isDefault).map(\.name) == ["my-records"])
        let activityMappings = package.pim?["Activity"]?.map(\.component)
        #expect(activityMappings == [.vevent, .vtodo])
        #expect(package.pim?["Contact"]?.map(\.component) == [.vcard])
    }

    @Test func wireFormRoundTrips() throws {
        let package = try DefaultPackage.load()
        let again = try PackageLoader.load(json: PackageLoader.json(package))
        #expect(again == package)
    }

    @Test func everyRoleResolves() throws {
        let package = try DefaultPackage.load()
        let visibility: [String: Visibility] = [
            "sales-rep": .personal, "sales-manager": .team, "service-agent": .personal, "admin": .all,
        ]
        for role in Self.roles {
            let view = try #require(package.resolved(for: role), "\(role)")
            #expect(view.role?.visibility == visibility[role], "\(role)")
            #expect(view.role?.admin == (role == "admin"), "\(role)")
            #expect(view.filters?.filter(\.isDefault).count == 1, "\(role) has one default filter")
            // Every required field stays visible, so every role can create what it sees.
            for (typeName, type) in package.types {
                guard let seen = view.types[typeName] else { continue }
                for (name, field) in type.fields where field.isRequired {
                    #expect(seen.fields[name] != nil, "\(role): \(typeName).\(name)")
                }
            }
        }
        let agent = try #require(package.resolved(for: "service-agent"))
        #expect(agent.types["Opportunity"] == nil)
        #expect(agent.forms?["Opportunity"] == nil)
        #expect(agent.types["Activity"]?.fields["opportunityId"] == nil)
        #expect(agent.filters?.first(where: \.isDefault)?.name == "service-queue")
        let rep = try #require(package.resolved(for: "sales-rep"))
        #expect(rep.types["Opportunity"]?.fields["probability"]?.isReadOnly == true)
        #expect(rep.lists["activityKinds"]?.contains("Email") == true)
        #expect(package.resolved(for: "nobody") == nil)
    }

    @Test func everyFieldAppearsInAForm() throws {
        let package = try DefaultPackage.load()
        var forms: [(String, [String: Form])] = [("base", package.forms ?? [:])]
        for (role, view) in (package.roles ?? [:]).sorted(by: { $0.key < $1.key }) {
            forms.append((role, view.forms ?? [:]))
        }
        for typeName in package.types.keys {
            #expect(package.forms?[typeName] != nil, "no form for \(typeName)")
        }
        for (owner, byType) in forms {
            for (typeName, form) in byType {
                let type = try #require(package.types[typeName])
                let shown = form.sections.flatMap(\.fields)
                #expect(Set(shown).count == shown.count, "\(owner): a field repeats in the \(typeName) form")
                #expect(!form.title.isEmpty && !form.list.isEmpty, "\(owner): \(typeName)")
                for field in type.fields.keys {
                    #expect(shown.contains(field), "\(owner): \(typeName).\(field) is in no section")
                }
            }
        }
    }
}
