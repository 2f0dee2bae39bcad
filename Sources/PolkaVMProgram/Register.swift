/// One of the 13 guest registers. The raw value is the register's index (0...12).
public enum Reg: UInt8, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case ra = 0, sp, t0, t1, t2, s0, s1, a0, a1, a2, a3, a4, a5

    /// The number of guest registers.
    public static let count = 13

    /// The ABI name, e.g. `a0`.
    public var description: String {
        switch self {
        case .ra: return "ra"
        case .sp: return "sp"
        case .t0: return "t0"
        case .t1: return "t1"
        case .t2: return "t2"
        case .s0: return "s0"
        case .s1: return "s1"
        case .a0: return "a0"
        case .a1: return "a1"
        case .a2: return "a2"
        case .a3: return "a3"
        case .a4: return "a4"
        case .a5: return "a5"
        }
    }

    /// Decodes a 4-bit register field: values 13, 14 and 15 are clamped to `a5` (12).
    @inlinable @inline(__always)
    public static func clamped(nibble: UInt8) -> UInt8 {
        let n = nibble & 0xF
        return n > 12 ? 12 : n
    }

    /// Parses an ABI name (`a0`) or a numeric name (`r7`).
    public init?(name: String) {
        if let reg = Reg.allCases.first(where: { $0.description == name }) {
            self = reg
        } else if name.hasPrefix("r"), let n = UInt8(name.dropFirst()), n < 13 {
            self.init(rawValue: n)
        } else {
            return nil
        }
    }

    /// The registers that carry export arguments, in order (`a0...a5`, `t0...t2`).
    public static let argumentRegisters: [Reg] = [.a0, .a1, .a2, .a3, .a4, .a5, .t0, .t1, .t2]
}
