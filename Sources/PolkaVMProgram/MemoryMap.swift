// Upstream's standard memory map (upstream-format.md §4.1–4.2).

/// The guest memory layout PolkaVM builds for a program: read-only data at `0x10000`, read-write data
/// (followed by the heap) after a 64 KiB gap, the stack just below the auxiliary data area, and the
/// auxiliary data area below `0xFFFF0000`. Region bases are 64 KiB aligned and so do not depend on the
/// page size; the accessible sizes are rounded up to whole pages.
public struct MemoryMap: Sendable, Hashable {
    /// The layout granule: 64 KiB (upstream's largest page size).
    public static let granule: UInt32 = 0x1_0000
    /// The smallest page size allowed (4 KiB).
    public static let minimumPageSize: UInt32 = 0x1000
    /// The largest page size allowed (64 KiB).
    public static let maximumPageSize: UInt32 = 0x1_0000
    /// The lowest address a region can start at.
    public static let addressSpaceBottom: UInt32 = 0x1_0000
    /// The end of the usable address space; `[0xFFFF0000, 2^32)` is never accessible.
    public static let addressSpaceTop: UInt32 = 0xFFFF_0000

    /// The page size the sizes are rounded to.
    public let pageSize: UInt32
    /// The start of the read-only data region (always `0x10000`).
    public let roDataAddress: UInt32
    /// The accessible size of the read-only region (the declared size rounded up to a page).
    public let roDataSize: UInt32
    /// The start of the read-write data region.
    public let rwDataAddress: UInt32
    /// The initially accessible size of the read-write region (the declared size rounded up to a page).
    public let rwDataSize: UInt32
    /// Where the heap starts: right after the declared read-write size (not page aligned).
    public let heapBase: UInt32
    /// How far the heap may grow from ``heapBase``.
    public let maxHeapSize: UInt32
    /// The lowest stack address (inclusive).
    public let stackAddressLow: UInt32
    /// The address just past the stack (the initial stack pointer).
    public let stackAddressHigh: UInt32
    /// The accessible stack size (the requested size rounded up to a page).
    public let stackSize: UInt32
    /// The start of the auxiliary data region.
    public let auxDataAddress: UInt32
    /// The accessible size of the auxiliary data region (rounded up to a page).
    public let auxDataSize: UInt32

    /// Builds the map for the given sizes.
    ///
    /// - Throws: ``ProgramErrorKind/invalidValue(_:)`` when `pageSize` is not a power of two in
    ///   4096...65536, and ``ProgramErrorKind/memoryMapTooLarge`` when the regions do not fit below
    ///   `0xFFFF0000` (the read-write area plus its heap gap would run into the stack).
    public init(pageSize: UInt32, roDataSize: UInt32, rwDataSize: UInt32, stackSize: UInt32, auxDataSize: UInt32 = 0) throws(ProgramError) {
        guard pageSize >= Self.minimumPageSize, pageSize <= Self.maximumPageSize, pageSize.nonzeroBitCount == 1 else {
            throw ProgramError(.invalidValue("page size \(pageSize) is not a power of two in 4096...65536"))
        }
        // Everything is computed in Int64: each input is < 2^32, so no sum or rounding can overflow.
        let page = Int64(pageSize)
        let granule = Int64(Self.granule)
        func alignG(_ x: UInt32) -> Int64 { (Int64(x) + granule - 1) / granule * granule }
        func alignP(_ x: UInt32) -> Int64 { (Int64(x) + page - 1) / page * page }
        let tooLarge = ProgramError(.memoryMapTooLarge)

        let roAddress = Int64(Self.addressSpaceBottom)
        let roSize = alignP(roDataSize)
        let rwAddress = roAddress + alignG(roDataSize) + granule
        let rwSize = alignP(rwDataSize)
        let heapBase = rwAddress + Int64(rwDataSize)
        let lowEnd = rwAddress + alignG(rwDataSize) + granule

        let auxAddress = Int64(Self.addressSpaceTop) - alignG(auxDataSize)
        let auxSize = alignP(auxDataSize)
        let stackHigh = auxAddress - granule
        let stackSizeEff = alignP(stackSize)
        let stackLow = stackHigh - stackSizeEff
        let highEnd = stackHigh - alignG(stackSize)

        guard auxAddress >= 0, stackLow >= 0, highEnd >= 0, lowEnd <= highEnd else { throw tooLarge }
        let maxHeap = highEnd - lowEnd + (rwAddress + alignG(rwDataSize) - heapBase)

        // lowEnd <= highEnd <= 0xFFFF0000 bounds every address and size below 2^32.
        guard let heapBase32 = UInt32(exactly: heapBase), let maxHeap32 = UInt32(exactly: maxHeap),
              let rwAddress32 = UInt32(exactly: rwAddress), let rwSize32 = UInt32(exactly: rwSize),
              let roSize32 = UInt32(exactly: roSize), let stackSize32 = UInt32(exactly: stackSizeEff),
              let auxSize32 = UInt32(exactly: auxSize) else { throw tooLarge }

        self.pageSize = pageSize
        self.roDataAddress = UInt32(roAddress)
        self.roDataSize = roSize32
        self.rwDataAddress = rwAddress32
        self.rwDataSize = rwSize32
        self.heapBase = heapBase32
        self.maxHeapSize = maxHeap32
        self.stackAddressLow = UInt32(stackLow)
        self.stackAddressHigh = UInt32(stackHigh)
        self.stackSize = stackSize32
        self.auxDataAddress = UInt32(auxAddress)
        self.auxDataSize = auxSize32
    }

    /// Builds the map for a program blob's declared sizes.
    public init(blob: ProgramBlob, pageSize: UInt32 = MemoryMap.minimumPageSize, auxDataSize: UInt32 = 0) throws(ProgramError) {
        try self.init(
            pageSize: pageSize, roDataSize: blob.roDataSize, rwDataSize: blob.rwDataSize,
            stackSize: blob.stackSize, auxDataSize: auxDataSize
        )
    }
}
