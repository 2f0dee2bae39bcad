import PolkaVMProgram

// Building blocks of the instruction handlers (Generated/Handlers.swift): integer semantics shared
// by every handler, guest memory translation, and how a handler continues or leaves.

@inline(__always) func sx32(_ v: UInt64) -> UInt64 { UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) }
@inline(__always) func sx32(_ v: UInt32) -> UInt64 { UInt64(bitPattern: Int64(Int32(bitPattern: v))) }
@inline(__always) func lo32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
@inline(__always) func signed(_ v: UInt64) -> Int64 { Int64(bitPattern: v) }
@inline(__always) func bool(_ b: Bool) -> UInt64 { b ? 1 : 0 }

@inline(__always) func divU32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = lo32(a), y = lo32(b)
    return y == 0 ? UInt64.max : sx32(x / y)
}
@inline(__always) func divS32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
    if y == 0 { return UInt64.max }
    if x == Int32.min && y == -1 { return sx32(UInt32(bitPattern: x)) }
    return sx32(UInt32(bitPattern: x / y))
}
@inline(__always) func remU32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = lo32(a), y = lo32(b)
    return y == 0 ? sx32(x) : sx32(x % y)
}
@inline(__always) func remS32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
    if y == 0 { return sx32(UInt32(bitPattern: x)) }
    if x == Int32.min && y == -1 { return 0 }
    return sx32(UInt32(bitPattern: x % y))
}
@inline(__always) func divU64(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? UInt64.max : a / b }
@inline(__always) func remU64(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : a % b }
@inline(__always) func divS64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = signed(a), y = signed(b)
    if y == 0 { return UInt64.max }
    if x == Int64.min && y == -1 { return a }
    return UInt64(bitPattern: x / y)
}
@inline(__always) func remS64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = signed(a), y = signed(b)
    if y == 0 { return a }
    if x == Int64.min && y == -1 { return 0 }
    return UInt64(bitPattern: x % y)
}
@inline(__always) func rotr32(_ v: UInt32, _ n: UInt32) -> UInt32 { (v &>> n) | (v &<< (32 &- n)) }
@inline(__always) func rotr64(_ v: UInt64, _ n: UInt64) -> UInt64 { (v &>> n) | (v &<< (64 &- n)) }
@inline(__always) func mulUpperSU64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let high = a.multipliedFullWidth(by: b).high
    return signed(a) < 0 ? high &- b : high
}

/// The host address for writing `size` bytes at guest `address`, or 0 when the slow path must decide
/// (unmapped or read-only page, or an access that crosses a page boundary). The handlers' STORE
/// expansion in Utilities/generate_handlers.py performs the same lookup inline.
@inline(__always) func writeAddress(_ tables: PageTables.Base, _ address: UInt32, _ size: UInt32) -> UInt {
    let e = tables[PageTableView.entryCount + Int(truncatingIfNeeded: address &>> 12)]
    guard e != 0, (address & 0xFFF) &+ size <= 4096 else { return 0 }
    return e &+ UInt(address)
}

/// Leaves the handler chain: records where execution stands and why it stopped.
@inline(__always) func leave(_ ip: UnsafePointer<Op>, _ gas: Int64, _ c: UnsafeMutablePointer<RunContext>, _ reason: LoopExit) -> UInt64 {
    c.pointee.ip = ip
    c.pointee.gas = gas
    return reason.rawValue
}

/// Trampoline continuation: records the next op and returns to the dispatch loop.
@inline(__always) func proceed(_ ip: UnsafePointer<Op>, _ gas: Int64, _ c: UnsafeMutablePointer<RunContext>) -> UInt64 {
    c.pointee.ip = ip
    c.pointee.gas = gas
    return LoopExit.proceed.rawValue
}

/// The trampoline handler of every op kind, indexed by raw value.
let trampolineHandlers: [Handler] = (0...255).map { raw in
    (OpKind(rawValue: UInt8(raw)) ?? .trap).trampolineHandler
}
