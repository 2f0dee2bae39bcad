import PolkaVMProgram

extension LinkSession {
    /// Replaces calls of host-call stubs (functions that are just an import call site and a return, as the
    /// guest SDK's import wrappers are) by the `ecalli` itself when the link register is dead where the call
    /// returns to, then drops the blocks no longer reachable (docs/LINKER.md, "Optimizations").
    mutating func inlineHostCallStubs() {
        let order = translated.keys.sorted()
        // Host-call stubs: `ecalli; jump_indirect r, 0`.
        var stubs: [Int: (ecalli: IROp, link: UInt8)] = [:]
        for b in order {
            let ops = translated[b]!.ops
            guard ops.count == 2, ops[0].instruction.opcode == .ecalli, ops[0].imm1 != nil,
                  ops[1].instruction.opcode == .jumpIndirect, ops[1].instruction.imm1 == 0, ops[1].imm1 == nil else { continue }
            stubs[b] = (ops[0], ops[1].instruction.regA)
        }
        if stubs.isEmpty { return }
        var resolvedShape: [Int: ResolvedBlock] = [:]
        for b in order {
            let ir = translated[b]!
            resolvedShape[b] = ResolvedBlock(ops: ir.ops.map { ResolvedOp(instruction: $0.instruction, target: $0.target, source: $0.source) },
                                             hasTerminator: ir.hasTerminator, successors: ir.successors)
        }
        let liveIn = Optimizer(isa: isa, order: order, blocks: resolvedShape, externalEntries: []).liveIn()
        var changed = false
        for b in order {
            var ir = translated[b]!
            guard ir.hasTerminator, let call = ir.ops.last, call.instruction.opcode == .loadImmAndJump,
                  let target = call.target, let stub = stubs[target], stub.link == call.instruction.regA,
                  case .address(.code(let next), .full)? = call.imm1, ir.successors.last == next,
                  let live = liveIn[next], !live.has(stub.link) else { continue }
            ir.ops[ir.ops.count - 1] = IROp(stub.ecalli.instruction, imm1: stub.ecalli.imm1, source: call.source)
            ir.hasTerminator = false
            ir.successors = [next]
            if let k = ir.references.firstIndex(of: call.imm1!) { ir.references.remove(at: k) }
            ir.references.append(stub.ecalli.imm1!)
            translated[b] = ir
            changed = true
        }
        if !changed { return }
        // What is still reachable: from the exports, through control flow, code addresses in code, and the
        // code addresses in live data (as in `markLive`).
        var reachable: Set<Int> = []
        var queue: [Int] = []
        func enqueue(_ b: Int) { if translated[b] != nil, reachable.insert(b).inserted { queue.append(b) } }
        func enqueueRef(_ ref: AddressRef) {
            switch ref {
            case .code(let b): enqueue(b)
            case .got(let inner): enqueueRef(inner)
            default: break
            }
        }
        for e in exports { enqueue(e.block) }
        for s in liveData {
            for r in program.sections[s].relocations {
                if case .location(let loc) = r.target, program.sections[loc.section].kind == .code, let b = code.blockAt[loc] { enqueue(b) }
            }
        }
        while let b = queue.popLast() {
            let ir = translated[b]!
            for s in ir.successors { enqueue(s) }
            for r in ir.references { if case .address(let ref, _) = r { enqueueRef(ref) } }
        }
        for b in order where !reachable.contains(b) { translated[b] = nil }
    }
}
