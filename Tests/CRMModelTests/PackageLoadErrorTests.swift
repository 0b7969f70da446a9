import Foundation
import Testing

@testable import CRMModel

/// Every way a package can be broken is refused with an error naming the file, the line of the offending key in
/// the YAML source, and the dotted key; each test breaks one thing in a small valid package.
@Suite struct PackageLoadErrorTests {
    /// A small valid package exercising every section; tests edit one line of it.
    static let base = """
        name: test
        version: 1
        currency: EUR
        lists:
          stages: [Open, Won, Lost]
          colours: [red, green, blue]
        types:
          Account:
            label: Account
            fields:
              name: {kind: text, required: true, maxLength: 50}
          Deal:
            label: Deal
            fields:
              title: {kind: text, required: true}
              stage: {kind: picklist, list: stages}
              accountId: {kind: reference, target: [Account]}
              contactIds: {kind: references, target: [Account]}
              start: {kind: date}
              end: {kind: date}
              amount: {kind: currency, min: 0, scale: 2}
              note: {kind: text}
            rules:
              - name: endAfterStart
                kind: notBefore
                field: end
                other: start
                message: A deal cannot end before it starts
            duplicates:
              - [title, accountId]
        forms:
          Deal:
            title: [title]
            list: [title, stage, owner]
            sections:
              - {label: Deal, fields: [title, stage, accountId, contactIds, start, end, amount, note]}
        filters:
          - name: mine
            label: Mine
            default: true
            parameters:
              - {name: daysBack, label: Days back, kind: number, default: "30"}
              - {name: who, label: Who, kind: text}
            types:
              Deal:
                records: mine
                window: {field: start, back: daysBack, ahead: "30"}
          - name: all
            label: All
            types:
              Deal: {records: visible}
        roles:
          rep:
            label: Rep
            visibility: personal
            filters: [mine]
        """

    /// `base` with the one line that reads `line` (after indentation) replaced by `replacement` lines.
    static func editing(
        _ line: String, to replacement: String..., in yaml: String = base,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> String {
        editing(line, toLines: replacement, in: yaml, sourceLocation: sourceLocation)
    }

    static func editing(
        _ line: String, toLines replacement: [String], in yaml: String = base,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> String {
        var lines = yaml.components(separatedBy: "\n")
        let matches = lines.indices.filter { lines[$0].trimmingCharacters(in: .whitespaces) == line }
        guard matches.count == 1, let index = matches.first else {
            Issue.record("'\(line)' is not exactly one line of the package", sourceLocation: sourceLocation)
            return yaml
        }
        let indent = String(lines[index].prefix { $0 == " " })
        lines.replaceSubrange(index...index, with: replacement.map { indent + $0 })
        return lines.joined(separator: "\n")
    }

    /// `base` with a second rule on Deal, given as the lines of its mapping.
    static func addingRule(_ lines: String..., sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let rule = lines.enumerated().map { ($0.offset == 0 ? "  - " : "    ") + $0.element }
        return editing("duplicates:", toLines: rule + ["duplicates:"], sourceLocation: sourceLocation)
    }

    /// The 1-based line of `yaml` that reads `text` (after indentation), else the one line that contains it.
    static func line(of text: String, in yaml: String) -> Int? {
        let lines = Array(yaml.components(separatedBy: "\n").enumerated())
        let exact = lines.filter { $0.element.trimmingCharacters(in: .whitespaces) == text }
        if exact.count == 1 { return exact[0].offset + 1 }
        let containing = lines.filter { $0.element.contains(text) }
        return containing.count == 1 ? containing[0].offset + 1 : nil
    }

    /// The error loading `yaml` raises, checked to name the test file; nil when the package loads.
    static func refusal(_ yaml: String) -> PackageLoadError? {
        do {
            _ = try PackageLoader.load(yaml: yaml, file: "test.yaml")
            return nil
        } catch {
            #expect(error.file == "test.yaml")
            return error
        }
    }

    /// Loads `yaml` and expects a refusal at `key`, on the line holding `lineText`, with `message` in its text.
    static func expectRefused(
        _ yaml: String, key: String, onLineWith lineText: String, message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let error = refusal(yaml) else {
            Issue.record("the package loaded, expected \(key): \(message)", sourceLocation: sourceLocation)
            return
        }
        let expectedLine = line(of: lineText, in: yaml)
        #expect(expectedLine != nil, "'\(lineText)' is not on exactly one line", sourceLocation: sourceLocation)
        #expect(error.key == key, "\(error)", sourceLocation: sourceLocation)
        #expect(error.line == expectedLine, "\(error)", sourceLocation: sourceLocation)
        #expect(error.column != nil, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("test.yaml:\(error.line ?? 0):"), sourceLocation: sourceLocation)
    }

    // MARK: The base package

    @Test func basePackageLoads() throws {
        let package = try PackageLoader.load(yaml: Self.base, file: "test.yaml")
        #expect(package.types["Deal"]?.fields["amount"]?.kind == .currency)
        #expect(package.filters?.first?.parameters?.first?.default == "30")
    }

    // MARK: YAML and shape

    @Test func unclosedFlowMappingIsASyntaxErrorWhereYAMLNoticesIt() throws {
        let yaml = Self.editing("note: {kind: text}", to: "note: {kind: text")
        let error = try #require(Self.refusal(yaml))
        #expect(error.message == "YAML syntax: while parsing a flow mapping: did not find expected ',' or '}'")
        // libyaml notices the missing `}` where the next key starts, one line below the brace it opened.
        #expect(error.line == Self.line(of: "rules:", in: yaml), "\(error)")
        #expect(error.line == Self.line(of: "note: {kind: text", in: yaml).map { $0 + 1 }, "\(error)")
        #expect(error.column != nil)
    }

    @Test func mappingValueInsidePlainScalarIsASyntaxErrorOnItsLine() throws {
        let yaml = Self.editing("label: Deal", to: "label: Deal: big")
        let error = try #require(Self.refusal(yaml))
        #expect(error.message.hasPrefix("YAML syntax"), "\(error)")
        #expect(error.line == Self.line(of: "label: Deal: big", in: yaml), "\(error)")
    }

    @Test func topLevelListIsRefused() throws {
        let error = try #require(Self.refusal("- name: test\n- version: 1\n"))
        #expect(error.line == 1)
        #expect(error.key == "")
        #expect(error.message.contains("mapping"), "\(error)")
    }

    @Test func topLevelScalarIsRefused() throws {
        let error = try #require(Self.refusal("just some text\n"))
        #expect(error.line == 1)
        #expect(error.message.contains("mapping"), "\(error)")
    }

    @Test func emptyFileIsRefused() throws {
        let error = try #require(Self.refusal("# nothing but a comment\n"))
        #expect(error.message.contains("empty"), "\(error)")
    }

    @Test func missingTopLevelKeyIsNamed() throws {
        let yaml = Self.editing("currency: EUR", to: "label: Test")
        let error = try #require(Self.refusal(yaml))
        #expect(error.key == "currency", "\(error)")
        #expect(error.message.contains("missing"), "\(error)")
    }

    @Test func fieldWithoutKindNamesTheKindKey() {
        let yaml = Self.editing("note: {kind: text}", to: "note: {label: Note}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.note.kind", onLineWith: "note: {label: Note}", message: "required key")
    }

    @Test func misspelledFieldKindNamesTheAllowedKinds() {
        let yaml = Self.editing("note: {kind: text}", to: "note: {kind: texxt}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.note.kind", onLineWith: "note: {kind: texxt}",
            message: "'texxt' is not one of: text, number, currency, date, datetime, boolean, picklist, reference")
    }

    @Test func misspelledKindOnItsOwnLineNamesThatLine() {
        let yaml = Self.editing("note: {kind: text}", to: "note:", "  label: Note", "  kind: texxt")
        Self.expectRefused(yaml, key: "types.Deal.fields.note.kind", onLineWith: "kind: texxt", message: "'texxt'")
    }

    @Test func misspelledVisibilityNamesTheAllowedValues() {
        let yaml = Self.editing("visibility: personal", to: "visibility: private")
        Self.expectRefused(
            yaml, key: "roles.rep.visibility", onLineWith: "visibility: private",
            message: "'private' is not one of: personal, team, all")
    }

    @Test func textWhereANumberBelongsIsRefused() {
        let yaml = Self.editing("version: 1", to: "version: one")
        Self.expectRefused(yaml, key: "version", onLineWith: "version: one", message: "expected a number")
    }

    @Test func misspelledKeyIsAnUnknownKeyOnItsLine() {
        let yaml = Self.editing("note: {kind: text}", to: "note: {kind: text, requried: true}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.note.requried", onLineWith: "requried: true", message: "unknown key")
    }

    @Test func unknownKeyInABlockMappingIsNamed() {
        let yaml = Self.editing("label: Deal", to: "label: Deal", "plurals: Deals")
        Self.expectRefused(yaml, key: "types.Deal.plurals", onLineWith: "plurals: Deals", message: "unknown key")
    }

    @Test func unknownTopLevelKeyIsNamed() {
        let yaml = Self.editing("currency: EUR", to: "currency: EUR", "currencies: [EUR]")
        Self.expectRefused(yaml, key: "currencies", onLineWith: "currencies: [EUR]", message: "unknown key")
    }

    @Test func unknownKeyInsideAListIsNamedWithItsIndex() {
        let yaml = Self.editing("kind: notBefore", to: "kind: notBefore", "severity: high")
        Self.expectRefused(
            yaml, key: "types.Deal.rules.0.severity", onLineWith: "severity: high", message: "unknown key")
    }

    // MARK: Header

    @Test func versionBelowOneIsRefused() {
        let yaml = Self.editing("version: 1", to: "version: 0")
        Self.expectRefused(yaml, key: "version", onLineWith: "version: 0", message: "at least 1")
    }

    @Test func emptyNameIsRefused() {
        let yaml = Self.editing("name: test", to: "name: \"  \"")
        Self.expectRefused(yaml, key: "name", onLineWith: "name: \"  \"", message: "must not be empty")
    }

    @Test func lowerCaseCurrencyCodeIsRefused() {
        let yaml = Self.editing("currency: EUR", to: "currency: eur")
        Self.expectRefused(yaml, key: "currency", onLineWith: "currency: eur", message: "ISO 4217")
    }

    @Test func currencyNameInsteadOfCodeIsRefused() {
        let yaml = Self.editing("currency: EUR", to: "currency: Euro")
        Self.expectRefused(yaml, key: "currency", onLineWith: "currency: Euro", message: "ISO 4217")
    }

    @Test func listWithRepeatedValuesIsRefused() {
        let yaml = Self.editing("colours: [red, green, blue]", to: "colours: [red, green, red]")
        Self.expectRefused(yaml, key: "lists.colours", onLineWith: "colours: [red, green, red]", message: "repeat")
    }

    @Test func emptyListIsRefused() {
        let yaml = Self.editing("colours: [red, green, blue]", to: "colours: []")
        Self.expectRefused(yaml, key: "lists.colours", onLineWith: "colours: []", message: "at least one value")
    }

    // MARK: Types and fields

    @Test func lowerCaseTypeNameIsRefused() {
        let yaml = Self.editing("Account:", to: "account:", in: Self.base.replacingOccurrences(
            of: "target: [Account]}", with: "target: [account]}"))
        Self.expectRefused(yaml, key: "types.account", onLineWith: "  account:", message: "UpperCamelCase")
    }

    @Test func fieldNameWithUnderscoreIsRefused() {
        let yaml = Self.editing("note: {kind: text}", to: "due_date: {kind: date}")
        Self.expectRefused(yaml, key: "types.Deal.fields.due_date", onLineWith: "due_date:", message: "lowerCamelCase")
    }

    @Test func picklistWithoutListIsRefused() {
        let yaml = Self.editing("stage: {kind: picklist, list: stages}", to: "stage: {kind: picklist}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.stage.list", onLineWith: "stage: {kind: picklist}", message: "names its list")
    }

    @Test func picklistNamingAnUnknownListIsRefused() {
        let yaml = Self.editing(
            "stage: {kind: picklist, list: stages}", to: "stage:", "  kind: picklist", "  list: stagez")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.stage.list", onLineWith: "list: stagez", message: "unknown list 'stagez'")
    }

    @Test func listOnANonPicklistIsRefused() {
        let yaml = Self.editing("note: {kind: text}", to: "note: {kind: text, list: stages}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.note.list", onLineWith: "note: {kind: text, list: stages}",
            message: "only picklist")
    }

    @Test func referenceWithoutTargetIsRefused() {
        let yaml = Self.editing("accountId: {kind: reference, target: [Account]}", to: "accountId: {kind: reference}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.accountId.target", onLineWith: "accountId: {kind: reference}",
            message: "names its target types")
    }

    @Test func referenceToAnUnknownTypeIsRefused() {
        let yaml = Self.editing(
            "accountId: {kind: reference, target: [Account]}", to: "accountId:", "  kind: reference",
            "  target: [Acount]")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.accountId.target", onLineWith: "target: [Acount]",
            message: "unknown type 'Acount'")
    }

    @Test func referenceNameNotEndingInIdIsRefused() {
        let yaml = Self.editing(
            "accountId: {kind: reference, target: [Account]}", to: "account: {kind: reference, target: [Account]}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.account", onLineWith: "account: {kind: reference", message: "ends in 'Id'")
    }

    @Test func manyToManyNameNotEndingInIdsIsRefused() {
        let yaml = Self.editing(
            "contactIds: {kind: references, target: [Account]}", to: "contactId: {kind: references, target: [Account]}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.contactId", onLineWith: "contactId: {kind: references",
            message: "ends in 'Ids'")
    }

    @Test func targetOnANonReferenceIsRefused() {
        let yaml = Self.editing("note: {kind: text}", to: "note: {kind: text, target: [Account]}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.note.target", onLineWith: "note: {kind: text, target",
            message: "only reference fields")
    }

    @Test(arguments: ["owner", "team", "id", "version", "deleted"])
    func systemFieldNameIsRefused(name: String) {
        let yaml = Self.editing("note: {kind: text}", to: "\(name): {kind: text}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.\(name)", onLineWith: "  \(name): {kind: text}", message: "system field")
    }

    @Test func minAboveMaxIsRefused() {
        let yaml = Self.editing(
            "amount: {kind: currency, min: 0, scale: 2}", to: "amount: {kind: currency, min: 10, max: 5}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.amount.min", onLineWith: "amount: {kind: currency", message: "above max")
    }

    @Test func scaleOnATextFieldIsRefused() {
        let yaml = Self.editing("note: {kind: text}", to: "note: {kind: text, scale: 2}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.note", onLineWith: "note: {kind: text, scale: 2}",
            message: "number and currency fields only")
    }

    @Test func maxLengthOnADateIsRefused() {
        let yaml = Self.editing("start: {kind: date}", to: "start: {kind: date, maxLength: 10}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.start.maxLength", onLineWith: "start: {kind: date, maxLength",
            message: "maxLength applies to text")
    }

    @Test func currencyFieldNamingAMissingSiblingIsRefused() {
        let yaml = Self.editing(
            "amount: {kind: currency, min: 0, scale: 2}", to: "amount: {kind: currency, currencyField: code}")
        Self.expectRefused(
            yaml, key: "types.Deal.fields.amount.currencyField", onLineWith: "currencyField: code",
            message: "'code' is not a text field")
    }

    @Test func duplicateRuleNamingAnUnknownFieldIsRefused() {
        let yaml = Self.editing("- [title, accountId]", to: "- [title, acountId]")
        Self.expectRefused(
            yaml, key: "types.Deal.duplicates.0", onLineWith: "- [title, acountId]",
            message: "unknown field 'acountId'")
    }

    @Test func globalKeyNamingAnUnknownFieldIsRefused() {
        let yaml = Self.editing("label: Deal", to: "label: Deal", "globalKeys: [uid]")
        Self.expectRefused(yaml, key: "types.Deal.globalKeys", onLineWith: "globalKeys: [uid]", message: "'uid'")
    }

    @Test func conflictExceptionNamingAnUnknownFieldIsRefused() {
        let yaml = Self.editing(
            "label: Deal", to: "label: Deal", "conflicts:", "  default: server-wins", "  fields:",
            "    stag: manual")
        Self.expectRefused(
            yaml, key: "types.Deal.conflicts.fields.stag", onLineWith: "stag: manual", message: "unknown field 'stag'")
    }

    @Test func misspelledConflictRuleNamesTheAllowedRules() {
        let yaml = Self.editing("label: Deal", to: "label: Deal", "conflicts: {default: server-win}")
        Self.expectRefused(
            yaml, key: "types.Deal.conflicts.default", onLineWith: "server-win}",
            message: "'server-win' is not one of: server-wins, client-wins, newest-wins, manual")
    }

    // MARK: Rules

    @Test func ruleNamingAnUnknownFieldIsRefused() {
        let yaml = Self.editing("field: end", to: "field: ned")
        Self.expectRefused(
            yaml, key: "types.Deal.rules.0.field", onLineWith: "field: ned", message: "unknown field 'ned'")
    }

    @Test func notBeforeWithoutOtherIsRefused() {
        let yaml = Self.editing("other: start", to: "other: begin")
        Self.expectRefused(yaml, key: "types.Deal.rules.0.other", onLineWith: "other: begin", message: "notBefore")
    }

    @Test func notBeforeBetweenNonDateFieldsIsRefused() {
        let yaml = Self.editing("other: start", to: "other: amount")
        // The key at fault is the rule itself; its line is where the rule's mapping starts.
        Self.expectRefused(
            yaml, key: "types.Deal.rules.0", onLineWith: "- name: endAfterStart", message: "date or datetime")
    }

    @Test func invalidRegularExpressionIsRefused() {
        let yaml = Self.addingRule(
            "name: codeFormat", "kind: pattern", "field: note", "pattern: '[A-Z'", "message: bad code")
        Self.expectRefused(
            yaml, key: "types.Deal.rules.1.pattern", onLineWith: "pattern: '[A-Z'", message: "regular expression")
    }

    @Test func patternRuleOnANumberIsRefused() {
        let yaml = Self.addingRule(
            "name: round", "kind: pattern", "field: amount", "pattern: '^[0-9]+$'", "message: whole")
        Self.expectRefused(yaml, key: "types.Deal.rules.1.field", onLineWith: "field: amount", message: "text field")
    }

    @Test func misspelledRuleKindNamesTheAllowedKinds() {
        let yaml = Self.editing("kind: notBefore", to: "kind: notbefore")
        Self.expectRefused(
            yaml, key: "types.Deal.rules.0.kind", onLineWith: "kind: notbefore",
            message: "'notbefore' is not one of: notBefore, requiredWhen, pattern")
    }

    @Test func requiredWhenWithoutWhenIsRefused() {
        let yaml = Self.addingRule(
            "name: wonNeedsEnd", "kind: requiredWhen", "field: end", "message: needs an end")
        Self.expectRefused(
            yaml, key: "types.Deal.rules.1.when", onLineWith: "- name: wonNeedsEnd", message: "needs a 'when'")
    }

    @Test func conditionValueNotInThePicklistIsRefused() {
        let yaml = Self.addingRule(
            "name: wonNeedsEnd", "kind: requiredWhen", "field: end", "when: {field: stage, in: [Wonn]}",
            "message: needs an end")
        Self.expectRefused(
            yaml, key: "types.Deal.rules.1.when.in", onLineWith: "when: {field: stage, in: [Wonn]}",
            message: "'Wonn' is not in the list 'stages'")
    }

    @Test func conditionWithNeitherInNorPresentIsRefused() {
        let yaml = Self.addingRule(
            "name: wonNeedsEnd", "kind: requiredWhen", "field: end", "when: {field: stage}",
            "message: needs an end")
        Self.expectRefused(
            yaml, key: "types.Deal.rules.1.when", onLineWith: "when: {field: stage}", message: "'in' (values)")
    }

    // MARK: Forms

    @Test func formNamingAnUnknownFieldIsRefused() {
        let yaml = Self.editing("list: [title, stage, owner]", to: "list: [title, stag, owner]")
        Self.expectRefused(
            yaml, key: "forms.Deal.list", onLineWith: "list: [title, stag, owner]", message: "unknown field 'stag'")
    }

    @Test func formSectionNamingAnUnknownFieldIsRefused() {
        let yaml = Self.editing(
            "- {label: Deal, fields: [title, stage, accountId, contactIds, start, end, amount, note]}",
            to: "- {label: Deal, fields: [title, stage]}", "- {label: More, fields: [notes]}")
        Self.expectRefused(
            yaml, key: "forms.Deal.sections.1.fields", onLineWith: "fields: [notes]", message: "unknown field 'notes'")
    }

    @Test func formForAnUnknownTypeIsRefused() {
        let yaml = Self.editing("forms:", to: "forms:", "  Dael: {title: [title], list: [title], sections: []}")
        Self.expectRefused(yaml, key: "forms.Dael", onLineWith: "Dael:", message: "unknown type 'Dael'")
    }

    @Test func formMayShowSystemFields() throws {
        let yaml = Self.editing("list: [title, stage, owner]", to: "list: [title, owner, team, createdAt, updatedBy]")
        #expect(Self.refusal(yaml) == nil)
    }

    // MARK: Filters

    @Test func twoDefaultFiltersAreRefused() {
        let yaml = Self.editing("label: All", to: "label: All", "default: true")
        Self.expectRefused(yaml, key: "filters", onLineWith: "filters:", message: "only one filter is the default")
    }

    @Test func repeatedFilterNameIsRefused() {
        let yaml = Self.editing("- name: all", to: "- name: mine")
        // The second filter named `mine` is the one at fault.
        let error = Self.refusal(yaml)
        #expect(error?.key == "filters.1.name", "\(String(describing: error))")
        #expect(error?.message.contains("repeats 'mine'") == true)
        let lines = yaml.components(separatedBy: "\n")
        let second = lines.indices.filter { lines[$0].contains("- name: mine") }.last.map { $0 + 1 }
        #expect(error?.line == second)
    }

    @Test func windowOnANonDateFieldIsRefused() {
        let yaml = Self.editing(
            "window: {field: start, back: daysBack, ahead: \"30\"}",
            to: "window: {field: amount, back: daysBack, ahead: \"30\"}")
        Self.expectRefused(
            yaml, key: "filters.0.types.Deal.window.field", onLineWith: "window: {field: amount",
            message: "'amount' is not a date or datetime field")
    }

    @Test func windowNamingATextParameterIsRefused() {
        let yaml = Self.editing(
            "window: {field: start, back: daysBack, ahead: \"30\"}", to: "window:", "  field: start",
            "  back: who", "  ahead: \"30\"")
        Self.expectRefused(
            yaml, key: "filters.0.types.Deal.window.back", onLineWith: "back: who",
            message: "'who' is neither a number nor a number parameter")
    }

    @Test func windowNamingAnUnknownParameterIsRefused() {
        let yaml = Self.editing(
            "window: {field: start, back: daysBack, ahead: \"30\"}",
            to: "window: {field: start, back: daysBack, ahead: daysAhead}")
        Self.expectRefused(
            yaml, key: "filters.0.types.Deal.window.ahead", onLineWith: "ahead: daysAhead", message: "'daysAhead'")
    }

    @Test func filterConditionValueNotInThePicklistIsRefused() {
        let yaml = Self.editing("Deal: {records: visible}", to: "Deal:", "  records: visible",
            "  conditions: [{field: stage, in: [Open, Closed]}]")
        Self.expectRefused(
            yaml, key: "filters.1.types.Deal.conditions.0.in", onLineWith: "conditions: [{field: stage",
            message: "'Closed' is not in the list 'stages'")
    }

    @Test func misspelledParameterKindNamesTheParameterKinds() {
        let yaml = Self.editing("- {name: who, label: Who, kind: text}", to: "- {name: who, label: Who, kind: txt}")
        Self.expectRefused(
            yaml, key: "filters.0.parameters.1.kind", onLineWith: "kind: txt",
            message: "'txt' is not one of: number, text, boolean")
    }

    @Test func misspelledRecordsChoiceNamesTheAllowedChoices() {
        let yaml = Self.editing("Deal: {records: visible}", to: "Deal: {records: everything}")
        Self.expectRefused(
            yaml, key: "filters.1.types.Deal.records", onLineWith: "records: everything",
            message: "'everything' is not one of: mine, visible")
    }

    @Test func filterLimitBelowOneIsRefused() {
        let yaml = Self.editing("Deal: {records: visible}", to: "Deal: {records: visible, limit: 0}")
        Self.expectRefused(
            yaml, key: "filters.1.types.Deal.limit", onLineWith: "limit: 0", message: "at least 1")
    }

    @Test func filterForAnUnknownTypeIsRefused() {
        let yaml = Self.editing("Deal: {records: visible}", to: "Deals: {records: visible}")
        Self.expectRefused(yaml, key: "filters.1.types.Deals", onLineWith: "Deals:", message: "unknown type 'Deals'")
    }

    @Test func unquotedNumberIsAcceptedAsParameterDefault() throws {
        let yaml = Self.editing(
            "- {name: daysBack, label: Days back, kind: number, default: \"30\"}",
            to: "- {name: daysBack, label: Days back, kind: number, default: 30}")
        let package = try PackageLoader.load(yaml: yaml, file: "test.yaml")
        #expect(package.filters?[0].parameters?[0].default == "30")
        // The wire form carries the default as text, as if it had been quoted.
        let again = try PackageLoader.load(json: PackageLoader.json(package))
        #expect(again.filters?[0].parameters?[0].default == "30")
        #expect(again == package)
    }

    @Test func unquotedNumberIsAcceptedAsWindowDays() throws {
        let yaml = Self.editing(
            "window: {field: start, back: daysBack, ahead: \"30\"}",
            to: "window: {field: start, back: 7, ahead: 30}")
        let package = try PackageLoader.load(yaml: yaml, file: "test.yaml")
        #expect(package.filters?[0].types["Deal"]?.window == DateWindow(field: "start", back: "7", ahead: "30"))
    }

    // MARK: PIM mappings

    @Test func pimPropertyForAnUnknownFieldIsRefused() {
        let yaml = Self.editing(
            "roles:", to: "pim:", "  Deal:", "    - component: vevent", "      properties:",
            "        title: SUMMARY", "        begin: DTSTART", "roles:")
        Self.expectRefused(
            yaml, key: "pim.Deal.0.properties.begin", onLineWith: "begin: DTSTART", message: "unknown field 'begin'")
    }

    @Test func misspelledPIMComponentNamesTheAllowedComponents() {
        let yaml = Self.editing(
            "roles:", to: "pim:", "  Deal:", "    - component: vcal", "      properties: {title: SUMMARY}", "roles:")
        Self.expectRefused(
            yaml, key: "pim.Deal.0.component", onLineWith: "component: vcal",
            message: "'vcal' is not one of: vcard, vevent, vtodo")
    }

    // MARK: Roles

    @Test func roleHidingAnUnknownTypeIsRefused() {
        let yaml = Self.editing("visibility: personal", to: "visibility: personal", "hiddenTypes: [Dael]")
        Self.expectRefused(
            yaml, key: "roles.rep.hiddenTypes", onLineWith: "hiddenTypes: [Dael]", message: "unknown type 'Dael'")
    }

    @Test func roleHidingARequiredFieldIsRefused() {
        let yaml = Self.editing(
            "visibility: personal", to: "visibility: personal", "hiddenFields:", "  Deal: [note, title]")
        Self.expectRefused(
            yaml, key: "roles.rep.hiddenFields.Deal", onLineWith: "Deal: [note, title]",
            message: "'title' is required and cannot be hidden")
    }

    @Test func roleHidingAnUnknownFieldIsRefused() {
        let yaml = Self.editing(
            "visibility: personal", to: "visibility: personal", "hiddenFields:", "  Deal: [notes]")
        Self.expectRefused(
            yaml, key: "roles.rep.hiddenFields.Deal", onLineWith: "Deal: [notes]", message: "unknown field 'notes'")
    }

    @Test func roleMarkingAFieldOfAnUnknownTypeReadOnlyIsRefused() {
        let yaml = Self.editing(
            "visibility: personal", to: "visibility: personal", "readOnlyFields:", "  Deals: [note]")
        Self.expectRefused(
            yaml, key: "roles.rep.readOnlyFields.Deals", onLineWith: "Deals: [note]", message: "unknown type 'Deals'")
    }

    @Test func roleListSubsetWithAValueNotInTheListIsRefused() {
        let yaml = Self.editing(
            "visibility: personal", to: "visibility: personal", "lists:", "  stages: [Open, Pending]")
        Self.expectRefused(
            yaml, key: "roles.rep.lists.stages", onLineWith: "stages: [Open, Pending]",
            message: "'Pending' is not in the list")
    }

    @Test func roleSubsetOfAnUnknownListIsRefused() {
        let yaml = Self.editing("visibility: personal", to: "visibility: personal", "lists: {phases: [Open]}")
        Self.expectRefused(
            yaml, key: "roles.rep.lists.phases", onLineWith: "lists: {phases: [Open]}",
            message: "unknown list 'phases'")
    }

    @Test func roleDefaultFilterOutsideItsFiltersIsRefused() {
        let yaml = Self.editing("filters: [mine]", to: "filters: [mine]", "defaultFilter: all")
        Self.expectRefused(
            yaml, key: "roles.rep.defaultFilter", onLineWith: "defaultFilter: all",
            message: "'all' is not one of the role's filters")
    }

    @Test func roleDefaultFilterThatDoesNotExistIsRefused() {
        let yaml = Self.editing("filters: [mine]", to: "defaultFilter: some")
        Self.expectRefused(
            yaml, key: "roles.rep.defaultFilter", onLineWith: "defaultFilter: some", message: "'some'")
    }

    @Test func roleOfferingAnUnknownFilterIsRefused() {
        let yaml = Self.editing("filters: [mine]", to: "filters: [mine, theirs]")
        Self.expectRefused(
            yaml, key: "roles.rep.filters", onLineWith: "filters: [mine, theirs]", message: "unknown filter 'theirs'")
    }

    @Test func roleFormNamingAnUnknownFieldIsRefused() {
        let yaml = Self.editing(
            "filters: [mine]", to: "filters: [mine]", "forms:",
            "  Deal: {title: [titel], list: [title], sections: []}")
        Self.expectRefused(
            yaml, key: "roles.rep.forms.Deal.title", onLineWith: "title: [titel]", message: "unknown field 'titel'")
    }

    @Test func emptyRolesAreRefused() throws {
        let roles = try #require(Self.base.range(of: "roles:"))
        let yaml = String(Self.base[..<roles.lowerBound]) + "roles: {}\n"
        Self.expectRefused(yaml, key: "roles", onLineWith: "roles: {}", message: "at least one role")
    }

    // MARK: Wire form

    @Test func wireFormKeepsDecimalsExact() throws {
        let yaml = Self.editing(
            "amount: {kind: currency, min: 0, scale: 2}",
            to: "amount: {kind: currency, min: 0.01, max: 12345678901234567.89, scale: 2}")
        let package = try PackageLoader.load(yaml: yaml, file: "test.yaml")
        let amount = try #require(package.types["Deal"]?.fields["amount"])
        #expect(amount.min == Decimal(string: "0.01"))
        #expect(amount.max == Decimal(string: "12345678901234567.89"))
        let wire = PackageLoader.json(package)
        #expect(String(decoding: wire, as: UTF8.self).contains("12345678901234567.89"))
        #expect(try PackageLoader.load(json: wire) == package)
    }

    @Test func defaultPackageWireFormIsStable() throws {
        let package = try DefaultPackage.load()
        let wire = PackageLoader.json(package)
        let again = try PackageLoader.load(json: wire)
        #expect(again == package)
        #expect(PackageLoader.json(again) == wire)
    }

    @Test func brokenWireFormNamesTheKeyWithoutALine() throws {
        let package = try PackageLoader.load(yaml: Self.base, file: "test.yaml")
        var object = try #require(try JSONSerialization.jsonObject(with: PackageLoader.json(package)) as? [String: Any])
        object["currency"] = "euro"
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect {
            try PackageLoader.load(json: data)
        } throws: { error in
            guard let error = error as? PackageLoadError else { return false }
            return error.file == "<wire>" && error.key == "currency" && error.line == nil
        }
    }

    @Test func wireFormMissingAKeyNamesIt() throws {
        let data = Data(#"{"name": "x", "version": 1, "currency": "EUR", "lists": {}}"#.utf8)
        #expect {
            try PackageLoader.load(json: data)
        } throws: { error in
            (error as? PackageLoadError)?.key == "types"
        }
    }

    @Test func fileLoaderNamesTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(RecordID.make())
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("sales.yaml")
        try Self.editing("currency: EUR", to: "currency: eur").write(to: url, atomically: true, encoding: .utf8)
        #expect {
            try PackageLoader.load(contentsOf: url)
        } throws: { error in
            guard let error = error as? PackageLoadError else { return false }
            return error.file == "sales.yaml" && error.line == 3 && error.key == "currency"
        }
    }
}
