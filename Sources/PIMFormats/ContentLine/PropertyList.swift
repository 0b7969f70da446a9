/// Something holding content lines by name: a vCard, an iCalendar component. One set of look-ups serves both.
public protocol PropertyList {
    var properties: [ContentLine] { get set }
}

extension PropertyList {
    /// The first property named `name` (case-insensitive), whatever its group.
    public func first(_ name: String) -> ContentLine? {
        let wanted = name.uppercased()
        return properties.first { $0.name == wanted }
    }

    /// Every property named `name` (case-insensitive), in file order.
    public func all(_ name: String) -> [ContentLine] {
        let wanted = name.uppercased()
        return properties.filter { $0.name == wanted }
    }

    /// The unescaped TEXT value of the first property named `name`.
    public func text(_ name: String) -> String? {
        first(name).map { TextValue.unescape($0.value) }
    }
}
