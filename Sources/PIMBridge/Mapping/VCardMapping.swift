import CRMModel
import Foundation
import PIMFormats

/// A record's mapped fields written into a vCard, and read back from one. Properties the mapping does not name
/// stay as the PIM wrote them.
enum VCardMapping {
    static func write(
        _ record: Record, type: ObjectType, mapping: PIMMapping, into original: VCard, directory: any RecordDirectory
    ) -> VCard {
        var card = original
        let specs = PropertySpec.specs(of: mapping.properties)
        func text(_ field: String, _ definition: FieldDefinition) -> String? {
            switch definition.kind {
            case .reference: record.fields[field]?.stringValue.flatMap(directory.title(of:))
            case .date: record.fields[field]?.stringValue.map(FieldCoding.basicDate)
            default: FieldCoding.text(record.fields[field], kind: definition.kind)
            }
        }
        // A field read from a property without its TYPE (the PIM dropped it) is written back into that property,
        // not into a second, typed one.
        let fallbacks = locate(card, specs).filter { field, index in !matches(card.properties[index], specs[field]!) }
        var removed: Set<Int> = []
        for (field, index) in fallbacks.sorted(by: { $0.key < $1.key }) {
            guard let definition = type.fields[field], let spec = specs[field] else { continue }
            if let line = assigned(card.properties[index], spec, text(field, definition)) {
                card.properties[index] = line
            } else {
                removed.insert(index)
            }
        }
        card.properties = card.properties.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        for (field, spec) in specs.sorted(by: { $0.key < $1.key }) where fallbacks[field] == nil {
            guard let definition = type.fields[field] else { continue }
            set(&card, spec, text(field, definition))
        }
        // FN follows N, since 4.0 requires it and PIMs show it.
        if let n = card.structured("N") {
            let full = [n.count > 3 ? n[3] : "", n.count > 1 ? n[1] : "", n[0]].filter { !$0.isEmpty }
                .joined(separator: " ")
            if !full.isEmpty { card.setText("FN", full) }
        }
        return card
    }

    static func read(_ card: VCard, type: ObjectType, mapping: PIMMapping, directory: any RecordDirectory)
        -> [String: FieldValue]
    {
        var fields: [String: FieldValue] = [:]
        let specs = PropertySpec.specs(of: mapping.properties)
        let found = locate(card, specs)
        for (field, spec) in specs {
            guard let definition = type.fields[field] else { continue }
            let text = found[field].flatMap { get(card.properties[$0], spec) }
            switch definition.kind {
            case .reference:
                guard let text, !text.isEmpty else {
                    fields[field] = .null
                    continue
                }
                // A name the desktop does not know leaves the link as it is.
                if let id = directory.id(titled: text, types: definition.target ?? []) { fields[field] = .string(id) }
            default:
                fields[field] = FieldCoding.value(text, kind: definition.kind)
            }
        }
        return fields
    }

    /// The property each mapped field stands for, by index: the first carrying the spec's types; for a spec whose
    /// types no property carries (a PIM that dropped `TYPE=work`), the first property of the name without a type,
    /// else the first of the name no other spec claims. So a dropped TYPE never clears a CRM field, and a
    /// `TEL;TYPE=cell` the mobile maps to is not taken for the work phone.
    static func locate(_ card: VCard, _ specs: [String: PropertySpec]) -> [String: Int] {
        var found: [String: Int] = [:]
        var claimed: Set<Int> = []
        let ordered = specs.sorted { $0.key < $1.key }
        for (field, spec) in ordered {
            guard let index = card.properties.firstIndex(where: { matches($0, spec) }) else { continue }
            found[field] = index
            if spec.componentIndex == nil { claimed.insert(index) }
        }
        // A structured property (N, ADR, ORG) is shared by its components' fields; only a plain one is claimed.
        for (field, spec) in ordered where found[field] == nil && !spec.types.isEmpty {
            let candidates = card.properties.indices.filter {
                card.properties[$0].name == spec.name && !claimed.contains($0)
            }
            let untyped = candidates.first { card.properties[$0].types.subtracting(["pref"]).isEmpty }
            guard let index = untyped ?? candidates.first else { continue }
            found[field] = index
            if spec.componentIndex == nil { claimed.insert(index) }
        }
        return found
    }

    /// The text of the property (or component) a spec names.
    static func get(_ line: ContentLine, _ spec: PropertySpec) -> String? {
        if let index = spec.componentIndex {
            let parts = TextValue.split(line.value, on: ";").map(TextValue.unescape)
            return index < parts.count ? parts[index] : nil
        }
        return uriText(line, TextValue.unescape(line.value))
    }

    /// A telephone number as text: vCard 4.0 writers (khard, iOS) give TEL as a `tel:` URI (RFC 6350 6.4.1,
    /// RFC 3966), which the CRM keeps as the number (`;ext=` as ` ext `).
    static func uriText(_ line: ContentLine, _ value: String) -> String {
        guard line.name == "TEL", value.lowercased().hasPrefix("tel:") else { return value }
        let number = value.dropFirst(4).removingPercentEncoding ?? String(value.dropFirst(4))
        let parts = number.split(separator: ";")
        var text = parts.first.map(String.init) ?? ""
        for part in parts.dropFirst() where part.lowercased().hasPrefix("ext=") {
            text += " ext " + part.dropFirst(4)
        }
        return text
    }

    /// Writes `value` into the property the spec names, creating it (with the spec's types) or removing it.
    static func set(_ card: inout VCard, _ spec: PropertySpec, _ value: String?) {
        let index = card.properties.firstIndex { matches($0, spec) }
        let line = assigned(index.map { card.properties[$0] } ?? line(spec, value: ""), spec, value)
        switch (index, line) {
        case (let index?, let line?): card.properties[index] = line
        case (let index?, nil): card.properties.remove(at: index)
        case (nil, let line?): card.properties.append(line)
        case (nil, nil): break
        }
    }

    /// `line` holding `value` (in the spec's component of a structured value); nil when nothing is left of it.
    static func assigned(_ line: ContentLine, _ spec: PropertySpec, _ value: String?) -> ContentLine? {
        var line = line
        if let component = spec.componentIndex {
            var parts = line.value.isEmpty ? [] : TextValue.split(line.value, on: ";").map(TextValue.unescape)
            let size = spec.name == "N" ? 5 : spec.name == "ADR" ? 7 : max(component + 1, parts.count)
            while parts.count < max(size, component + 1) { parts.append("") }
            parts[component] = value ?? ""
            if parts.allSatisfy(\.isEmpty) { return nil }
            line.value = parts.map(TextValue.escape).joined(separator: ";")
            return line
        }
        guard let value else { return nil }
        // The CRM writes the number as text: a `VALUE=uri` the PIM put there would make it a broken URI.
        line.parameters.removeAll { $0.name == "VALUE" && spec.name == "TEL" }
        line.value = spec.name == "BDAY" ? value : TextValue.escape(value)
        return line
    }

    static func find(_ card: VCard, _ spec: PropertySpec) -> ContentLine? {
        card.properties.first { matches($0, spec) }
    }

    /// A property of the spec's name carrying at least the spec's types (`TEL;TYPE=work,voice` is found by
    /// `TEL;TYPE=work` too; a `pref` the PIM added does not stand in the way).
    static func matches(_ line: ContentLine, _ spec: PropertySpec) -> Bool {
        line.name == spec.name && spec.types.isSubset(of: line.types)
    }

    static func line(_ spec: PropertySpec, value: String) -> ContentLine {
        var parameters: [ContentLine.Parameter] = []
        if !spec.types.isEmpty { parameters.append(.init(name: "TYPE", values: spec.types.sorted())) }
        return ContentLine(name: spec.name, parameters: parameters, value: value)
    }
}
