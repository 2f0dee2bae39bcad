/// Host functions bound to import names. A guest `ecalli n` calls the function registered under the
/// name of import `n`; arguments arrive in `a0...a5` and the result goes to `a0`.
public struct HostFunctions {
    /// A host function with raw access to the instance (registers, memory, gas).
    public typealias Function = (Instance) throws -> Void

    var functions: [String: Function] = [:]

    /// Creates an empty set.
    public init() {}

    /// Registers a function that reads its arguments and writes its results through the instance.
    public mutating func defineRaw(_ name: String, _ body: @escaping Function) {
        functions[name] = body
    }

    /// Whether a function is registered under `name`.
    public func contains(_ name: String) -> Bool { functions[name] != nil }

    /// Registers a function with no arguments returning a value in `a0`.
    public mutating func define(_ name: String, _ body: @escaping (Instance) throws -> UInt64) {
        functions[name] = { i in i.setRegister(.a0, try body(i)) }
    }
    /// Registers a function of one argument (`a0`) returning a value in `a0`.
    public mutating func define(_ name: String, _ body: @escaping (Instance, UInt64) throws -> UInt64) {
        functions[name] = { i in i.setRegister(.a0, try body(i, i.register(.a0))) }
    }
    /// Registers a function of two arguments (`a0`, `a1`) returning a value in `a0`.
    public mutating func define(_ name: String, _ body: @escaping (Instance, UInt64, UInt64) throws -> UInt64) {
        functions[name] = { i in i.setRegister(.a0, try body(i, i.register(.a0), i.register(.a1))) }
    }
    /// Registers a function of three arguments returning a value in `a0`.
    public mutating func define(_ name: String, _ body: @escaping (Instance, UInt64, UInt64, UInt64) throws -> UInt64) {
        functions[name] = { i in i.setRegister(.a0, try body(i, i.register(.a0), i.register(.a1), i.register(.a2))) }
    }
    /// Registers a function of four arguments returning a value in `a0`.
    public mutating func define(_ name: String, _ body: @escaping (Instance, UInt64, UInt64, UInt64, UInt64) throws -> UInt64) {
        functions[name] = { i in
            i.setRegister(.a0, try body(i, i.register(.a0), i.register(.a1), i.register(.a2), i.register(.a3)))
        }
    }
    /// Registers a function of five arguments returning a value in `a0`.
    public mutating func define(_ name: String, _ body: @escaping (Instance, UInt64, UInt64, UInt64, UInt64, UInt64) throws -> UInt64) {
        functions[name] = { i in
            i.setRegister(.a0, try body(i, i.register(.a0), i.register(.a1), i.register(.a2), i.register(.a3), i.register(.a4)))
        }
    }
    /// Registers a function of six arguments returning a value in `a0`.
    public mutating func define(_ name: String, _ body: @escaping (Instance, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) throws -> UInt64) {
        functions[name] = { i in
            i.setRegister(.a0, try body(i, i.register(.a0), i.register(.a1), i.register(.a2), i.register(.a3), i.register(.a4), i.register(.a5)))
        }
    }
}
