extension CustomizationPackage {
    /// The package as a role's users see it: hidden types and fields removed, read-only fields marked, lists
    /// narrowed, the role's forms, filters and PIM mappings in place. Returns nil for an unknown role.
    public func resolved(for roleName: String) -> CustomizationPackage? {
        guard let view = roles?[roleName] else { return nil }
        var result = self
        result.roles = nil
        result.role = RoleInfo(name: roleName, label: view.label, visibility: view.visibility, admin: view.isAdmin)
        let hiddenTypes = Set(view.hiddenTypes ?? [])
        result.types = [:]
        for (typeName, var type) in types where !hiddenTypes.contains(typeName) {
            let hidden = Set(view.hiddenFields?[typeName] ?? [])
            let readOnly = Set(view.readOnlyFields?[typeName] ?? [])
            type.fields = type.fields.filter { !hidden.contains($0.key) }
            // A reference to types the role does not see narrows to the visible ones, or goes.
            for (name, field) in type.fields where field.kind.isReference {
                let targets = (field.target ?? []).filter { !hiddenTypes.contains($0) }
                if targets.isEmpty { type.fields[name] = nil } else { type.fields[name]?.target = targets }
            }
            for name in readOnly where type.fields[name] != nil {
                type.fields[name]?.readOnly = true
            }
            type.showOnly(Set(type.fields.keys))
            result.types[typeName] = type
        }
        for (listName, subset) in view.lists ?? [:] {
            if let values = lists[listName] {
                result.lists[listName] = values.filter { subset.contains($0) }
            }
        }
        var forms = self.forms ?? [:]
        for (typeName, form) in view.forms ?? [:] { forms[typeName] = form }
        result.forms = [:]
        for (typeName, form) in forms {
            if let type = result.types[typeName] { result.forms?[typeName] = form.showing(type.fields) }
        }
        if let names = view.filters {
            result.filters = filters?.filter { names.contains($0.name) }
        }
        if let defaultName = view.defaultFilter, var presets = result.filters {
            for index in presets.indices { presets[index].default = presets[index].name == defaultName }
            result.filters = presets
        }
        result.filters = result.filters?.map { filter in
            var filter = filter
            filter.types = filter.types.filter { result.types[$0.key] != nil }
            for (typeName, typeFilter) in filter.types {
                let fields = result.types[typeName]?.fields ?? [:]
                filter.types[typeName]?.conditions = typeFilter.conditions?.filter { fields[$0.field] != nil }
                if let window = typeFilter.window, fields[window.field] == nil { filter.types[typeName]?.window = nil }
            }
            return filter
        }
        var pim = self.pim ?? [:]
        for (typeName, mappings) in view.pim ?? [:] { pim[typeName] = mappings }
        result.pim = [:]
        for (typeName, mappings) in pim {
            guard let type = result.types[typeName] else { continue }
            result.pim?[typeName] = mappings.filter { $0.when.map { type.fields[$0.field] != nil } ?? true }.map { mapping in
                var mapping = mapping
                mapping.properties = mapping.properties.filter { type.fields[$0.key] != nil }
                return mapping
            }
        }
        result.email = email.flatMap { $0.visible(in: result.types) }
        return result
    }
}

extension Form {
    /// The form without the fields a role does not see; the system fields every record has stay.
    func showing(_ fields: [String: FieldDefinition]) -> Form {
        let shown = { (name: String) in fields[name] != nil || PackageChecker.systemFields.contains(name) }
        return Form(
            title: title.filter(shown),
            list: list.filter(shown),
            sections: sections.map { FormSection(label: $0.label, fields: $0.fields.filter(shown)) }
                .filter { !$0.fields.isEmpty })
    }
}

extension ObjectType {
    /// Drops the rules, duplicate rules, global keys and conflict exceptions that name fields outside `fields`.
    mutating func showOnly(_ fields: Set<String>) {
        rules = rules?.filter { rule in
            fields.contains(rule.field) && (rule.other.map(fields.contains) ?? true)
                && (rule.when.map { fields.contains($0.field) } ?? true)
        }
        duplicates = duplicates?.filter { $0.allSatisfy(fields.contains) }
        globalKeys = globalKeys?.filter(fields.contains)
        let exceptions = conflicts?.fields?.filter { fields.contains($0.key) }
        conflicts?.fields = exceptions
    }
}
