extension PackageChecker {
    /// The email mapping names fields of the right kinds on types the package defines.
    func checkEmail(_ email: EmailMapping) throws(PackageLoadError) {
        let path = ["email"]
        guard let type = package.types[email.type] else { throw fail(path + ["type"], "unknown type '\(email.type)'") }
        for (name, value) in (email.set ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let field = type.fields[name] else { throw fail(path + ["set", name], "unknown field '\(name)'") }
            if field.kind == .picklist, let list = field.list.flatMap({ package.lists[$0] }), !list.contains(value) {
                throw fail(path + ["set", name], "'\(value)' is not in the list '\(field.list ?? "")'")
            }
        }
        let kinds: [EmailMapping.Part: Set<FieldKind>] = [
            .date: [.datetime], .direction: [.picklist, .text], .attachments: [.attachments],
            .contacts: [.references], .account: [.reference], .opportunity: [.reference],
        ]
        for (part, fieldName) in email.fields.sorted(by: { $0.key < $1.key }) {
            guard let known = EmailMapping.Part(rawValue: part) else {
                let names = EmailMapping.Part.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail(path + ["fields", part], "unknown part '\(part)' (parts: \(names))")
            }
            guard let field = type.fields[fieldName] else {
                throw fail(path + ["fields", part], "unknown field '\(fieldName)'")
            }
            let allowed = kinds[known] ?? [.text]
            if !allowed.contains(field.kind) {
                throw fail(path + ["fields", part], "'\(fieldName)' is a \(field.kind.rawValue) field; \(part) needs "
                    + allowed.map(\.rawValue).sorted().joined(separator: " or "))
            }
        }
        let match = email.match
        guard let contact = package.types[match.contactType] else {
            throw fail(path + ["match", "contactType"], "unknown type '\(match.contactType)'")
        }
        if match.emailFields.isEmpty { throw fail(path + ["match", "emailFields"], "name at least one email field") }
        for name in match.emailFields where contact.fields[name]?.kind != .email {
            throw fail(path + ["match", "emailFields"], "'\(name)' is not an email field of \(match.contactType)")
        }
        if let name = match.accountField, contact.fields[name]?.kind != .reference {
            throw fail(path + ["match", "accountField"], "'\(name)' is not a reference field of \(match.contactType)")
        }
        if let name = match.saveCorrespondence, contact.fields[name]?.kind != .boolean {
            throw fail(path + ["match", "saveCorrespondence"], "'\(name)' is not a boolean field of \(match.contactType)")
        }
        if let typeName = match.opportunityType {
            guard let opportunity = package.types[typeName] else {
                throw fail(path + ["match", "opportunityType"], "unknown type '\(typeName)'")
            }
            if let name = match.opportunityAccountField, opportunity.fields[name]?.kind != .reference {
                throw fail(path + ["match", "opportunityAccountField"], "'\(name)' is not a reference field of \(typeName)")
            }
            if let condition = match.openOpportunity {
                try checkCondition(condition, type: opportunity, path: path + ["match", "openOpportunity"])
            }
        }
    }
}
