extension CustomizationPackage {
    /// Whether going from `older` to this package adds, removes or retypes a type or field: replicas and
    /// outboxes then migrate (DESIGN section 2). Labels, forms, lists and filters are not structural.
    public func isStructurallyDifferent(from older: CustomizationPackage) -> Bool {
        guard Set(types.keys) == Set(older.types.keys) else { return true }
        for (name, type) in types {
            guard let old = older.types[name], Set(type.fields.keys) == Set(old.fields.keys) else { return true }
            for (field, definition) in type.fields {
                guard let before = old.fields[field] else { return true }
                if definition.kind != before.kind || definition.target != before.target { return true }
            }
        }
        return false
    }
}
