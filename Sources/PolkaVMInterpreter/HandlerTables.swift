/// The compiler's choice of handlers: flat lookup tables, built once per process, that find an op's fused
/// group and forwarding variant in a few array reads; the handlers themselves are in the generated tables
/// `OpKind.threadedHandlerTable` (index `kind * 9 + a + 3 * b`), `fusedPairTable` (`pair * 9 + code`) and
/// `fusedTripleTable` (`triple * 27 + code`).
enum HandlerTables {
    /// For each first kind (raw value): 1 + its row in `pairRows`, or 0 if no fused pair starts with it.
    static let pairRowOfFirst: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        var rows = 0
        for pair in OpKind.fusedPairs where table[Int(pair.0.rawValue)] == 0 {
            rows += 1
            table[Int(pair.0.rawValue)] = UInt8(rows)
        }
        return table
    }()

    /// Rows of 256 entries, one row per first kind that starts a pair: for the second kind (raw value), 1 +
    /// the pair's index in `OpKind.fusedPairs`, or 0. (About 12 KB, where a full 256 x 256 table would be 64.)
    static let pairRows: [UInt8] = {
        precondition(OpKind.fusedPairs.count < 255, "pair indices must fit in a byte")
        let rowCount = Int(pairRowOfFirst.max() ?? 0)
        var table = [UInt8](repeating: 0, count: rowCount * 256)
        for (i, pair) in OpKind.fusedPairs.enumerated() {
            let row = Int(pairRowOfFirst[Int(pair.0.rawValue)]) - 1
            table[row * 256 + Int(pair.1.rawValue)] = UInt8(i + 1)
        }
        return table
    }()

    /// For `first * 4 + second / 64`, bit `second % 64`: whether some fused triple starts with these two
    /// kinds (raw values), a 256 x 256 bit set (8 KB).
    static let tripleStarts: [UInt64] = {
        var table = [UInt64](repeating: 0, count: 256 * 4)
        for triple in OpKind.fusedTriples {
            let second = Int(triple.1.rawValue)
            table[Int(triple.0.rawValue) * 4 + second / 64] |= 1 << UInt64(second % 64)
        }
        return table
    }()

    /// Per kind (raw value): bit 0 `producesValue`, bit 1 `readsA`, bit 2 `readsB`, bit 3 `passesValuesThrough`.
    static let kindFlags: [UInt8] = (0..<256).map { raw in
        guard let kind = OpKind(rawValue: UInt8(raw)) else { return 0 }
        return (kind.producesValue ? 1 : 0) | (kind.readsA ? 2 : 0) | (kind.readsB ? 4 : 0) | (kind.passesValuesThrough ? 8 : 0)
    }

    /// How an op of kind `kind` writing register `d` hands its result to the op after it (`next`, reading
    /// registers `a` and `b`): 1 if `next` reads it as `r[a]`, 2 as `r[b]`, 0 if not at all (or the op
    /// produces no value). `flags` is `kindFlags`.
    @inline(__always) static func forwarding(_ flags: UnsafeBufferPointer<UInt8>, from kind: OpKind, d: UInt8,
                                             to next: OpKind, a: UInt8, b: UInt8) -> Int {
        guard flags[Int(kind.rawValue)] & 1 != 0 else { return 0 }
        let nextFlags = flags[Int(next.rawValue)]
        return nextFlags & 2 != 0 && a == d ? 1 : nextFlags & 4 != 0 && b == d ? 2 : 0
    }

    /// The fused triples' kinds packed as `first << 16 | second << 8 | third`, in `OpKind.fusedTriples` order.
    static let tripleKeys: [UInt32] = OpKind.fusedTriples.map {
        UInt32($0.0.rawValue) << 16 | UInt32($0.1.rawValue) << 8 | UInt32($0.2.rawValue)
    }

    /// Sets the threaded handler of every op of a compiled program. Fused groups are chosen left to right
    /// (a triple before a pair); every op, fused or not, reads the values carried from the ops just before
    /// it where its registers allow (`OpKind.forwarding(to:d:a:b:)` within and into groups, and one or two
    /// ops back for single ops, `OpKind.threadedHandler(a:b:)`). The ops after a group's first keep single
    /// handlers, for host entry in the middle of a group and for slow paths.
    static func assignThreadedHandlers(_ ops: UnsafeMutablePointer<Op>, count: Int) {
        OpKind.threadedHandlerTable.withUnsafeBufferPointer { singles in
        OpKind.fusedPairTable.withUnsafeBufferPointer { pairs in
        OpKind.fusedTripleTable.withUnsafeBufferPointer { triples in
        pairRows.withUnsafeBufferPointer { pairRows in
        pairRowOfFirst.withUnsafeBufferPointer { pairRowOfFirst in
        tripleStarts.withUnsafeBufferPointer { tripleStarts in
        tripleKeys.withUnsafeBufferPointer { tripleKeys in
        kindFlags.withUnsafeBufferPointer { flags in
            // How op j - 1 hands its result to op j (0 not at all, 1 as r[a], 2 as r[b]); 0 for the first op.
            func link(_ j: Int) -> Int {
                guard j >= 1 else { return 0 }
                let op = ops[j - 1], next = ops[j]
                return forwarding(flags, from: op.kind, d: op.d, to: next.kind, a: next.a, b: next.b)
            }
            // The two ops before the current one: flags (see `kindFlags`) and destination register.
            var previousFlags: UInt8 = 0, previousD: UInt8 = 0, beforeFlags: UInt8 = 0, beforeD: UInt8 = 0
            var nextGroupStart = 0
            for i in 0..<count {
                let op = ops[i]
                let kind = Int(op.kind.rawValue), opFlags = flags[kind]
                // Where a single op's register comes from: 1 = the previous op's result, 2 = the one before
                // it (when the previous op passes carried values through).
                @inline(__always) func source(_ register: UInt8) -> Int {
                    if previousFlags & 1 != 0 && previousD == register { return 1 }
                    return previousFlags & 8 != 0 && beforeFlags & 1 != 0 && beforeD == register ? 2 : 0
                }
                let a = opFlags & 2 != 0 ? source(op.a) : 0, b = opFlags & 4 != 0 ? source(op.b) : 0
                var handler = singles[kind &* 9 &+ a &+ 3 &* b]
                if i >= nextGroupStart {
                    nextGroupStart = i + 1
                    if i + 1 < count {
                        let second = Int(ops[i + 1].kind.rawValue)
                        var fusedTriple = false
                        if i + 2 < count && tripleStarts[kind &* 4 &+ second &>> 6] & (1 &<< UInt64(second & 63)) != 0 {
                            let key = UInt32(kind << 16 | second << 8) | UInt32(ops[i + 2].kind.rawValue)
                            if let index = tripleKeys.firstIndex(of: key) {
                                handler = triples[index * 27 + link(i) + 3 * link(i + 1) + 9 * link(i + 2)]
                                nextGroupStart = i + 3
                                fusedTriple = true
                            }
                        }
                        let row = Int(pairRowOfFirst[kind])
                        if !fusedTriple && row != 0 {
                            let pair = Int(pairRows[(row &- 1) &* 256 &+ second]) - 1
                            if pair >= 0 {
                                handler = pairs[pair * 9 + link(i) + 3 * link(i + 1)]
                                nextGroupStart = i + 2
                            }
                        }
                    }
                }
                ops[i].handler = handler
                beforeFlags = previousFlags
                beforeD = previousD
                previousFlags = opFlags
                previousD = op.d
            }
        }
        }
        }
        }
        }
        }
        }
        }
    }
}

extension OpKind {
    /// How this op, writing register `d`, hands its result to the op after it (`next`, reading registers `a`
    /// and `b`): 1 if `next` reads it as `r[a]`, 2 as `r[b]`, 0 if not at all. The fused-group variant
    /// chosen at compile time (`fusedHandler(with:forwarding:)`) follows it.
    func forwarding(to next: OpKind, d: UInt8, a: UInt8, b: UInt8) -> Int {
        HandlerTables.kindFlags.withUnsafeBufferPointer {
            HandlerTables.forwarding($0, from: self, d: d, to: next, a: a, b: b)
        }
    }
}
