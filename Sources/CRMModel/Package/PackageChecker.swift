import Foundation

/// The checks a package passes before it is used: every name it mentions exists, every kind is used as it
/// must be, and role views only narrow the base package.
struct PackageChecker {
    let package: CustomizationPackage
    let locator: NodeLocator

    func check() throws(PackageLoadError) {
        try checkHeader()
        for (typeName, type) in package.types.sorted(by: { $0.key < $1.key }) {
            if typeName == ConflictRecord.typeName {
                throw fail(["types", typeName], "'\(typeName)' is the server's own type for conflicts; choose another name")
            }
            try checkType(typeName, type)
        }
        for (typeName, form) in (package.forms ?? [:]).sorted(by: { $0.key < $1.key }) {
            try checkForm(form, typeName: typeName, path: ["forms", typeName])
        }
        try checkFilters()
        for (typeName, mappings) in (package.pim ?? [:]).sorted(by: { $0.key < $1.key }) {
            try checkPIM(mappings, typeName: typeName, path: ["pim", typeName])
        }
        if let email = package.email { try checkEmail(email) }
        for (roleName, view) in (package.roles ?? [:]).sorted(by: { $0.key < $1.key }) {
            try checkRole(roleName, view)
        }
    }

    func fail(_ path: [String], _ message: String) -> PackageLoadError {
        locator.error(at: path, message)
    }

    private func checkHeader() throws(PackageLoadError) {
        if package.name.trimmingCharacters(in: .whitespaces).isEmpty { throw fail(["name"], "must not be empty") }
        if package.version < 1 { throw fail(["version"], "must be a whole number of at least 1") }
        if package.currency.range(of: "^[A-Z]{3}$", options: .regularExpression) == nil {
            throw fail(["currency"], "must be an ISO 4217 code such as EUR or USD")
        }
        if package.types.isEmpty { throw fail(["types"], "a package defines at least one type") }
        for (name, values) in package.lists where values.isEmpty || Set(values).count != values.count {
            throw fail(["lists", name], values.isEmpty ? "a list needs at least one value" : "values repeat")
        }
        if let roles = package.roles, roles.isEmpty { throw fail(["roles"], "define at least one role") }
    }

    private func checkType(_ typeName: String, _ type: ObjectType) throws(PackageLoadError) {
        let path = ["types", typeName]
        if typeName.range(of: "^[A-Z][A-Za-z0-9]*$", options: .regularExpression) == nil {
            throw fail(path, "type names are UpperCamelCase letters and digits")
        }
        if type.fields.isEmpty { throw fail(path + ["fields"], "a type has at least one field") }
        for (fieldName, field) in type.fields.sorted(by: { $0.key < $1.key }) {
            try checkField(fieldName, field, type: type, path: path + ["fields", fieldName])
        }
        for (index, rule) in (type.rules ?? []).enumerated() {
            try checkRule(rule, type: type, path: path + ["rules", "\(index)"])
        }
        for (index, set) in (type.duplicates ?? []).enumerated() {
            if set.isEmpty { throw fail(path + ["duplicates", "\(index)"], "a duplicate rule names fields") }
            for field in set where type.fields[field] == nil {
                throw fail(path + ["duplicates", "\(index)"], "unknown field '\(field)'")
            }
        }
        for field in type.globalKeys ?? [] where type.fields[field] == nil {
            throw fail(path + ["globalKeys"], "unknown field '\(field)'")
        }
        for field in (type.conflicts?.fields ?? [:]).keys.sorted() where type.fields[field] == nil {
            throw fail(path + ["conflicts", "fields", field], "unknown field '\(field)'")
        }
        if let every = type.syncEvery, ObjectType.interval(every) == nil {
            throw fail(path + ["syncEvery"], "'\(every)' is not an interval: a whole number and m, h or d (30m, 12h, 7d)")
        }
    }

    private func checkField(_ name: String, _ field: FieldDefinition, type: ObjectType, path: [String])
        throws(PackageLoadError)
    {
        if name.range(of: "^[a-z][A-Za-z0-9]*$", options: .regularExpression) == nil {
            throw fail(path, "field names are lowerCamelCase letters and digits")
        }
        if ["id", "type", "version", "seq", "deleted", "owner", "team"].contains(name) {
            throw fail(path, "'\(name)' is a system field of every record")
        }
        switch field.kind {
        case .reference where !name.hasSuffix("Id"):
            throw fail(path, "a reference field's name ends in 'Id'")
        case .references where !name.hasSuffix("Ids"):
            throw fail(path, "a many-to-many field's name ends in 'Ids'")
        default: break
        }
        if field.kind.isReference {
            guard let targets = field.target, !targets.isEmpty else {
                throw fail(path + ["target"], "a reference names its target types (or 'any')")
            }
            for target in targets where target != "any" && package.types[target] == nil {
                throw fail(path + ["target"], "unknown type '\(target)'")
            }
        } else {
            if field.target != nil { throw fail(path + ["target"], "only reference fields have a target") }
            if field.onDelete != nil { throw fail(path + ["onDelete"], "only reference fields have onDelete") }
        }
        if field.kind == .picklist {
            guard let list = field.list else { throw fail(path + ["list"], "a picklist names its list of values") }
            if package.lists[list] == nil { throw fail(path + ["list"], "unknown list '\(list)'") }
        } else if field.list != nil {
            throw fail(path + ["list"], "only picklist fields have a list")
        }
        if let maxLength = field.maxLength {
            if maxLength < 1 { throw fail(path + ["maxLength"], "must be at least 1") }
            if ![.text, .email, .phone, .url].contains(field.kind) {
                throw fail(path + ["maxLength"], "maxLength applies to text, email, phone and url fields")
            }
        }
        if let min = field.min, let max = field.max, min > max { throw fail(path + ["min"], "is above max") }
        if (field.min != nil || field.max != nil || field.scale != nil),
            field.kind != .number && field.kind != .currency
        {
            throw fail(path, "min, max and scale apply to number and currency fields only")
        }
        if field.kind != .attachments, field.maxFileSize != nil || field.fileTypes != nil {
            throw fail(path, "maxFileSize and fileTypes apply to attachments fields only")
        }
        if let maxFileSize = field.maxFileSize, maxFileSize < 1 {
            throw fail(path + ["maxFileSize"], "must be at least 1 byte")
        }
        for pattern in field.fileTypes ?? [] where pattern.range(of: #"^[A-Za-z0-9!#$&^_.+*-]+/[A-Za-z0-9!#$&^_.+*-]+$"#, options: .regularExpression) == nil {
            throw fail(path + ["fileTypes"], "'\(pattern)' is not a media type such as application/pdf or image/*")
        }
        if let currencyField = field.currencyField {
            guard field.kind == .currency else { throw fail(path + ["currencyField"], "only for currency fields") }
            guard let sibling = type.fields[currencyField], sibling.kind == .text || sibling.kind == .picklist else {
                throw fail(path + ["currencyField"], "'\(currencyField)' is not a text field of this type")
            }
        }
    }

    func checkCondition(_ condition: FieldCondition, type: ObjectType, path: [String])
        throws(PackageLoadError)
    {
        guard let field = type.fields[condition.field] else {
            throw fail(path + ["field"], "unknown field '\(condition.field)'")
        }
        if condition.in == nil && condition.present == nil {
            throw fail(path, "a condition has 'in' (values) or 'present' (true or false)")
        }
        if field.kind == .picklist, let list = field.list.flatMap({ package.lists[$0] }) {
            for value in condition.in ?? [] where !list.contains(value) {
                throw fail(path + ["in"], "'\(value)' is not in the list '\(field.list ?? "")'")
            }
        }
    }

    private func checkRule(_ rule: ValidationRule, type: ObjectType, path: [String]) throws(PackageLoadError) {
        guard let field = type.fields[rule.field] else { throw fail(path + ["field"], "unknown field '\(rule.field)'") }
        switch rule.kind {
        case .notBefore:
            guard let otherName = rule.other, let other = type.fields[otherName] else {
                throw fail(path + ["other"], "notBefore compares with another field of the type")
            }
            let dated: Set<FieldKind> = [.date, .datetime]
            if !dated.contains(field.kind) || !dated.contains(other.kind) {
                throw fail(path, "notBefore compares date or datetime fields")
            }
        case .requiredWhen:
            guard let condition = rule.when else { throw fail(path + ["when"], "requiredWhen needs a 'when'") }
            try checkCondition(condition, type: type, path: path + ["when"])
        case .pattern:
            if ![.text, .email, .phone, .url].contains(field.kind) {
                throw fail(path + ["field"], "a pattern rule checks a text field")
            }
            guard let pattern = rule.pattern, (try? NSRegularExpression(pattern: pattern)) != nil else {
                throw fail(path + ["pattern"], "not a valid regular expression")
            }
        }
    }

    private func checkForm(_ form: Form, typeName: String, path: [String]) throws(PackageLoadError) {
        guard let type = package.types[typeName] else { throw fail(path, "unknown type '\(typeName)'") }
        for (key, fields) in [("title", form.title), ("list", form.list)] {
            for field in fields where type.fields[field] == nil && !Self.systemFields.contains(field) {
                throw fail(path + [key], "unknown field '\(field)'")
            }
        }
        for (index, section) in form.sections.enumerated() {
            for field in section.fields where type.fields[field] == nil && !Self.systemFields.contains(field) {
                throw fail(path + ["sections", "\(index)", "fields"], "unknown field '\(field)'")
            }
        }
    }

    /// Record fields that every type has and forms may show.
    static let systemFields: Set<String> = ["owner", "team", "createdAt", "updatedAt", "updatedBy"]

    private func checkFilters() throws(PackageLoadError) {
        let filters = package.filters ?? []
        var names = Set<String>()
        for (index, filter) in filters.enumerated() {
            let path = ["filters", "\(index)"]
            if !names.insert(filter.name).inserted { throw fail(path + ["name"], "repeats '\(filter.name)'") }
            let parameters = Set((filter.parameters ?? []).filter { $0.kind == .number }.map(\.name))
            for (typeName, typeFilter) in filter.types.sorted(by: { $0.key < $1.key }) {
                let typePath = path + ["types", typeName]
                guard let type = package.types[typeName] else { throw fail(typePath, "unknown type '\(typeName)'") }
                for (conditionIndex, condition) in (typeFilter.conditions ?? []).enumerated() {
                    try checkCondition(condition, type: type, path: typePath + ["conditions", "\(conditionIndex)"])
                }
                if let window = typeFilter.window {
                    guard let field = type.fields[window.field], field.kind == .date || field.kind == .datetime else {
                        throw fail(typePath + ["window", "field"], "'\(window.field)' is not a date or datetime field")
                    }
                    for (key, value) in [("back", window.back), ("ahead", window.ahead)]
                    where Int(value) == nil && !parameters.contains(value) {
                        throw fail(typePath + ["window", key], "'\(value)' is neither a number nor a number parameter")
                    }
                    if let orWhen = window.orWhen {
                        try checkCondition(orWhen, type: type, path: typePath + ["window", "orWhen"])
                    }
                }
                if let limit = typeFilter.limit, limit < 1 { throw fail(typePath + ["limit"], "must be at least 1") }
            }
        }
        if filters.filter(\.isDefault).count > 1 { throw fail(["filters"], "only one filter is the default") }
        for (typeName, conditions) in (package.masterFilters ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = ["masterFilters", typeName]
            guard let type = package.types[typeName] else { throw fail(path, "unknown type '\(typeName)'") }
            for (index, condition) in conditions.enumerated() {
                try checkCondition(condition, type: type, path: path + ["\(index)"])
            }
        }
    }

    private func checkPIM(_ mappings: [PIMMapping], typeName: String, path: [String]) throws(PackageLoadError) {
        guard let type = package.types[typeName] else { throw fail(path, "unknown type '\(typeName)'") }
        for (index, mapping) in mappings.enumerated() {
            if let condition = mapping.when {
                try checkCondition(condition, type: type, path: path + ["\(index)", "when"])
            }
            for field in mapping.properties.keys.sorted() where type.fields[field] == nil {
                throw fail(path + ["\(index)", "properties", field], "unknown field '\(field)'")
            }
            for (field, table) in (mapping.values ?? [:]).sorted(by: { $0.key < $1.key }) {
                let at = path + ["\(index)", "values", field]
                guard mapping.properties[field] != nil else { throw fail(at, "'\(field)' is not among the properties") }
                let allowed = type.fields[field]?.list.flatMap { package.lists[$0] }
                var seen: [String: String] = [:]
                for (value, pim) in table.sorted(by: { $0.key < $1.key }) {
                    if let allowed, !allowed.contains(value) { throw fail(at, "'\(value)' is not in the field's list") }
                    let alternatives = pim.split(separator: ",")
                        .map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
                    if alternatives.isEmpty || alternatives.contains("") { throw fail(at + [value], "no PIM value") }
                    for alternative in alternatives {
                        if let other = seen[alternative] {
                            throw fail(at + [value], "'\(alternative)' is read as '\(other)' already")
                        }
                        seen[alternative] = value
                    }
                }
            }
        }
    }

    private func checkRole(_ roleName: String, _ view: RoleView) throws(PackageLoadError) {
        let path = ["roles", roleName]
        for typeName in view.hiddenTypes ?? [] where package.types[typeName] == nil {
            throw fail(path + ["hiddenTypes"], "unknown type '\(typeName)'")
        }
        for (key, table) in [("hiddenFields", view.hiddenFields), ("readOnlyFields", view.readOnlyFields)] {
            for (typeName, fields) in (table ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let type = package.types[typeName] else {
                    throw fail(path + [key, typeName], "unknown type '\(typeName)'")
                }
                for field in fields {
                    guard let definition = type.fields[field] else {
                        throw fail(path + [key, typeName], "unknown field '\(field)'")
                    }
                    if key == "hiddenFields" && definition.isRequired {
                        throw fail(path + [key, typeName], "'\(field)' is required and cannot be hidden")
                    }
                }
            }
        }
        for (listName, subset) in (view.lists ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let values = package.lists[listName] else {
                throw fail(path + ["lists", listName], "unknown list '\(listName)'")
            }
            for value in subset where !values.contains(value) {
                throw fail(path + ["lists", listName], "'\(value)' is not in the list")
            }
        }
        for (typeName, form) in (view.forms ?? [:]).sorted(by: { $0.key < $1.key }) {
            try checkForm(form, typeName: typeName, path: path + ["forms", typeName])
        }
        let filterNames = Set((package.filters ?? []).map(\.name))
        for name in view.filters ?? [] where !filterNames.contains(name) {
            throw fail(path + ["filters"], "unknown filter '\(name)'")
        }
        if let name = view.defaultFilter, !(view.filters ?? Array(filterNames)).contains(name) {
            throw fail(path + ["defaultFilter"], "'\(name)' is not one of the role's filters")
        }
        for (typeName, mappings) in (view.pim ?? [:]).sorted(by: { $0.key < $1.key }) {
            try checkPIM(mappings, typeName: typeName, path: path + ["pim", typeName])
        }
    }
}
