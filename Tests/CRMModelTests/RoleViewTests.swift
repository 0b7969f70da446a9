import Foundation
import Testing

@testable import CRMModel

/// A role's package is a view of the base: it hides, marks read-only and narrows, and what it serves is itself a
/// package that loads.
@Suite struct RoleViewTests {
    /// A base package whose `viewer` role hides the Deal type, so that references to deals must go.
    static let yaml = """
        name: views
        version: 2
        currency: EUR
        lists:
          stages: [Open, Won, Lost]
          kinds: [Call, Visit, Demo]
        types:
          Account:
            label: Account
            fields:
              name: {kind: text, required: true}
              revenue: {kind: currency, min: 0}
              rating: {kind: number}
          Deal:
            label: Deal
            fields:
              title: {kind: text, required: true}
              stage: {kind: picklist, list: stages}
              accountId: {kind: reference, target: [Account]}
          Task:
            label: Task
            fields:
              subject: {kind: text, required: true}
              kind: {kind: picklist, list: kinds}
              dealId: {kind: reference, target: [Deal]}
              dealIds: {kind: references, target: [Deal]}
              relatedId: {kind: reference, target: [Account, Deal]}
              aboutId: {kind: reference, target: [any]}
            rules:
              - name: dealNeedsKind
                kind: requiredWhen
                field: kind
                when: {field: dealId, present: true}
                message: A task about a deal needs a kind
              - name: callNeedsSubject
                kind: requiredWhen
                field: subject
                when: {field: kind, in: [Call]}
                message: A call needs a subject
            duplicates:
              - [subject, dealId]
              - [subject]
            conflicts:
              default: server-wins
              fields: {dealId: manual, kind: newest-wins}
        forms:
          Account:
            title: [name]
            list: [name, revenue]
            sections:
              - {label: Money, fields: [revenue]}
              - {label: Account, fields: [name, rating]}
          Task:
            title: [subject]
            list: [subject, dealId]
            sections:
              - {label: Task, fields: [subject, kind, dealId, dealIds, relatedId, aboutId]}
        filters:
          - name: mine
            label: Mine
            default: true
            types:
              Deal: {records: mine}
              Task:
                records: mine
                conditions:
                  - {field: dealId, present: true}
                  - {field: kind, in: [Call]}
          - name: open-deals
            label: Open deals
            types:
              Deal:
                records: visible
                conditions: [{field: stage, in: [Open]}]
              Account: {records: visible}
        pim:
          Task:
            - component: vtodo
              properties: {subject: SUMMARY, dealId: RELATED-TO}
            - component: vevent
              when: {field: dealId, present: true}
              properties: {subject: SUMMARY}
        roles:
          viewer:
            label: Viewer
            visibility: personal
            hiddenTypes: [Deal]
            hiddenFields: {Account: [revenue]}
            readOnlyFields: {Account: [name, revenue]}
            lists: {kinds: [Demo, Call]}
            filters: [mine, open-deals]
            defaultFilter: open-deals
          seller:
            label: Seller
            visibility: team
            admin: false
        """

    let package: CustomizationPackage

    init() throws {
        package = try PackageLoader.load(yaml: Self.yaml, file: "views.yaml")
    }

    func viewer() throws -> CustomizationPackage { try #require(package.resolved(for: "viewer")) }

    @Test func unknownRoleResolvesToNil() throws {
        #expect(package.resolved(for: "nobody") == nil)
        #expect(try DefaultPackage.load().resolved(for: "") == nil)
    }

    @Test func resolvedPackageNamesItsRoleAndCarriesNoRoles() throws {
        let view = try viewer()
        #expect(view.role == RoleInfo(name: "viewer", label: "Viewer", visibility: .personal, admin: false))
        #expect(view.roles == nil)
        #expect(view.name == package.name && view.version == package.version)
        // A resolved package is not a base: it has no roles to resolve again.
        #expect(view.resolved(for: "viewer") == nil)
    }

    @Test func hiddenTypeIsGoneWithItsFormsFiltersAndMappings() throws {
        let view = try viewer()
        #expect(Set(view.types.keys) == ["Account", "Task"])
        #expect(view.forms?["Deal"] == nil)
        for filter in view.filters ?? [] {
            #expect(filter.types["Deal"] == nil, "\(filter.name)")
        }
    }

    @Test func hiddenFieldIsGoneFromTypeAndForm() throws {
        let view = try viewer()
        let account = try #require(view.types["Account"])
        #expect(account.fields["revenue"] == nil)
        #expect(account.fields["rating"] != nil)
        let form = try #require(view.forms?["Account"])
        #expect(form.list == ["name"])
        // The section left empty goes.
        #expect(form.sections == [FormSection(label: "Account", fields: ["name", "rating"])])
    }

    @Test func readOnlyFieldIsMarked() throws {
        let view = try viewer()
        #expect(view.types["Account"]?.fields["name"]?.isReadOnly == true)
        #expect(view.types["Account"]?.fields["rating"]?.isReadOnly == false)
        #expect(package.types["Account"]?.fields["name"]?.isReadOnly == false)
    }

    @Test func listIsNarrowedInTheBaseOrder() throws {
        let view = try viewer()
        #expect(view.lists["kinds"] == ["Call", "Demo"])
        #expect(view.lists["stages"] == package.lists["stages"])
    }

    @Test func roleFiltersAndDefaultApply() throws {
        let view = try viewer()
        #expect(view.filters?.map(\.name) == ["mine", "open-deals"])
        #expect(view.filters?.filter(\.isDefault).map(\.name) == ["open-deals"])
        let seller = try #require(package.resolved(for: "seller"))
        #expect(seller.filters?.filter(\.isDefault).map(\.name) == ["mine"], "without its own, the base default")
    }

    @Test func referenceWhoseTargetsAreAllHiddenIsDropped() throws {
        let task = try #require(try viewer().types["Task"])
        #expect(task.fields["dealId"] == nil)
        #expect(task.fields["dealIds"] == nil)
        #expect(task.fields["relatedId"]?.target == ["Account"], "narrowed to the visible target")
        #expect(task.fields["aboutId"]?.target == ["any"])
        #expect(Set(task.fields.keys) == ["subject", "kind", "relatedId", "aboutId"])
    }

    @Test func droppedReferenceLeavesNoRuleFilterFormOrMappingNamingIt() throws {
        let view = try viewer()
        let task = try #require(view.types["Task"])
        #expect(task.rules?.map(\.name) == ["callNeedsSubject"])
        #expect(task.duplicates == [["subject"]])
        #expect(task.conflicts?.fields == ["kind": .newestWins])
        #expect(view.forms?["Task"]?.list == ["subject"])
        #expect(view.forms?["Task"]?.sections.first?.fields == ["subject", "kind", "relatedId", "aboutId"])
        let mine = try #require(view.filters?.first { $0.name == "mine" })
        #expect(mine.types["Task"]?.conditions == [FieldCondition(field: "kind", in: ["Call"])])
        #expect(view.pim?["Task"] == [PIMMapping(component: .vtodo, properties: ["subject": "SUMMARY"])])
    }

    @Test func resolvedViewOfTestPackageLoadsFromItsWireForm() throws {
        for role in (package.roles ?? [:]).keys.sorted() {
            let view = try #require(package.resolved(for: role))
            let loaded = try PackageLoader.load(json: PackageLoader.json(view), file: "\(role).json")
            #expect(loaded == view, "\(role)")
        }
    }

    @Test func resolvedPackageOfEveryDefaultRoleLoadsFromItsWireForm() throws {
        let base = try DefaultPackage.load()
        #expect(base.roles?.isEmpty == false)
        for role in (base.roles ?? [:]).keys.sorted() {
            let view = try #require(base.resolved(for: role))
            do {
                let loaded = try PackageLoader.load(json: PackageLoader.json(view), file: "\(role).json")
                #expect(loaded == view, "\(role)")
            } catch {
                Issue.record("the \(role) package does not load: \(error)")
            }
        }
    }

    @Test func defaultServiceAgentSeesNoOpportunities() throws {
        let base = try DefaultPackage.load()
        let agent = try #require(base.resolved(for: "service-agent"))
        #expect(agent.types["Opportunity"] == nil)
        #expect(agent.types["Account"]?.fields["annualRevenue"] == nil)
        #expect(agent.types["Account"]?.fields["industry"]?.isReadOnly == true)
        #expect(agent.types["Activity"]?.fields["opportunityId"] == nil)
        #expect(agent.types["Note"]?.fields["parentId"]?.target == ["any"])
        #expect(agent.lists["activityKinds"] == ["Call", "Email", "Task", "Visit", "Training", "Onsite Service"])
        #expect(agent.filters?.map(\.name) == ["my-records", "service-queue"])
        #expect(agent.filters?.first { $0.name == "my-records" }?.types["Opportunity"] == nil)
        // The role's own form replaces the base's.
        #expect(agent.forms?["ServiceRequest"]?.list.first == "status")
        #expect(agent.forms?["Account"]?.sections.flatMap(\.fields).contains("annualRevenue") == false)
    }

    @Test func defaultAdminSeesTheWholeBase() throws {
        let base = try DefaultPackage.load()
        let admin = try #require(base.resolved(for: "admin"))
        #expect(admin.role?.admin == true)
        #expect(admin.types == base.types)
        #expect(admin.lists == base.lists)
        #expect(admin.filters == base.filters)
        #expect(admin.forms == base.forms)
        #expect(admin.pim == base.pim)
    }
}
