/// A JSON value that keeps 64-bit integers exact (test vectors carry register values up to 2^64 − 1).
enum JSONValue: Decodable {
    case unsigned(UInt64)
    case signed(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(UInt64.self) { self = .unsigned(v) }
        else if let v = try? c.decode(Int64.self) { self = .signed(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The value as an unsigned 64-bit integer (negative values wrap, as register values do).
    var uint64: UInt64? {
        switch self {
        case .unsigned(let v): return v
        case .signed(let v): return UInt64(bitPattern: v)
        case .double(let d) where d >= 0 && d < 1.8e19 && d == d.rounded(): return UInt64(d)
        case .string(let s): return UInt64(s)
        default: return nil
        }
    }

    var int64: Int64? {
        switch self {
        case .unsigned(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        case .signed(let v): return v
        case .double(let d) where d == d.rounded(): return Int64(exactly: d)
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    var bytes: [UInt8]? { array?.compactMap { $0.uint64.map { UInt8(truncatingIfNeeded: $0) } } }
}
