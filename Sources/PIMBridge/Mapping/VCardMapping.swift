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
        for (field, text) in mapping.properties.sorted(by: { $0.key < $1.key }) {
            guard let spec = PropertySpec(text), let definition = type.fields[field] else { continue }
            let value: String?
            switch definition.kind {
            case .reference: value = record.fields[field]?.stringValue.flatMap(directory.title(of:))
            case .date: value = record.fields[field]?.stringValue.map(FieldCoding.basicDate)
            default: value = FieldCoding.text(record.fields[field], kind: definition.kind)
            }
            set(&card, spec, value)
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
        for (field, text) in mapping.properties {
            guard let spec = PropertySpec(text), let definition = type.fields[field] else { continue }
            let found = get(card, spec)
            switch definition.kind {
            case .reference:
                guard let found, !found.isEmpty else {
                    fields[field] = .null
                    continue
                }
                // A name the desktop does not know leaves the link as it is.
                if let id = directory.id(titled: found, types: definition.target ?? []) { fields[field] = .string(id) }
            default:
                fields[field] = FieldCoding.value(found, kind: definition.kind)
            }
        }
        return fields
    }

    /// The text of the property (or component) a spec names.
    static func get(_ card: VCard, _ spec: PropertySpec) -> String? {
        guard let line = find(card, spec) else { return nil }
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

    static func set(_ card: inout VCard, _ spec: PropertySpec, _ value: String?) {
        let index = card.properties.firstIndex { matches($0, spec) }
        if let component = spec.componentIndex {
            var parts = index.map { TextValue.split(card.properties[$0].value, on: ";").map(TextValue.unescape) } ?? []
            let size = spec.name == "N" ? 5 : spec.name == "ADR" ? 7 : max(component + 1, parts.count)
            while parts.count < max(size, component + 1) { parts.append("") }
            parts[component] = value ?? ""
            if parts.allSatisfy(\.isEmpty) {
                if let index { card.properties.remove(at: index) }
                return
            }
            let written = parts.map(TextValue.escape).joined(separator: ";")
            if let index {
                card.properties[index].value = written
            } else {
                card.properties.append(line(spec, value: written))
            }
            return
        }
        guard let value else {
            if let index { card.properties.remove(at: index) }
            return
        }
        let escaped = spec.name == "BDAY" ? value : TextValue.escape(value)
        if let index {
            // The CRM writes the number as text: a `VALUE=uri` the PIM put there would make it a broken URI.
            card.properties[index].parameters.removeAll { $0.name == "VALUE" && spec.name == "TEL" }
            card.properties[index].value = escaped
        } else {
            card.properties.append(line(spec, value: escaped))
        }
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
