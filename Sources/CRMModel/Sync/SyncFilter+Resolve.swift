import Foundation

/// A filter parameter a device sent that the preset cannot use.
public struct FilterParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parameter at fault.
    public var parameter: String
    public var message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(parameter): \(message)" }
}

extension SyncFilter {
    /// The preset made concrete for a device: `parameters` over the preset's defaults, windows computed from
    /// `today` (already the device's day), and the package's master conditions added per type.
    ///
    /// Unknown parameters, and values that are not whole numbers where a number is needed, are refused with
    /// the parameter's name.
    public func resolve(
        parameters given: [String: String], today: String, timeZone: String, masterConditions: [String: [FieldCondition]] = [:]
    ) throws(FilterParameterError) -> ResolvedFilter {
        let declared = Dictionary(uniqueKeysWithValues: (parameters ?? []).map { ($0.name, $0) })
        for name in given.keys.sorted() where declared[name] == nil {
            let known = declared.keys.sorted().joined(separator: ", ")
            throw FilterParameterError(
                parameter: name,
                message: "the filter '\(self.name)' has no parameter '\(name)'"
                    + (known.isEmpty ? "" : " (it has: \(known))"))
        }
        var values: [String: String] = [:]
        for (name, parameter) in declared {
            guard let value = given[name] ?? parameter.default else { continue }
            switch parameter.kind {
            case .number:
                guard Int(value) != nil else {
                    throw FilterParameterError(parameter: name, message: "'\(value)' is not a whole number")
                }
            case .boolean:
                guard value == "true" || value == "false" else {
                    throw FilterParameterError(parameter: name, message: "'\(value)' is not true or false")
                }
            case .text: break
            }
            values[name] = value
        }
        func days(_ text: String) throws(FilterParameterError) -> Int {
            if let number = Int(text) { return number }
            guard let value = values[text], let number = Int(value) else {
                throw FilterParameterError(parameter: text, message: "the filter '\(name)' needs a number for '\(text)'")
            }
            return number
        }
        var resolved: [String: ResolvedTypeFilter] = [:]
        for (typeName, filter) in types {
            var window: ResolvedWindow?
            if let spec = filter.window {
                let back = try days(spec.back)
                let ahead = try days(spec.ahead)
                guard back >= 0, ahead >= 0, let from = DayArithmetic.adding(-back, to: today),
                    let to = DayArithmetic.adding(ahead, to: today)
                else {
                    throw FilterParameterError(parameter: spec.back, message: "days back and ahead cannot be negative")
                }
                window = ResolvedWindow(field: spec.field, from: from, to: to, orWhen: spec.orWhen)
            }
            resolved[typeName] = ResolvedTypeFilter(
                records: filter.records, conditions: (filter.conditions ?? []) + (masterConditions[typeName] ?? []),
                window: window, limit: filter.limit)
        }
        return ResolvedFilter(name: name, types: resolved, today: today, timeZone: timeZone)
    }
}
