// Sums the integers 0..<n with a tight loop: sum(n) = n * (n - 1) / 2.
pub @sum:
    a1 = 0
    a2 = 0
    jump @done if a0 == 0
@loop:
    a1 = a1 + a2
    a2 = a2 + 1
    jump @loop if a2 <u a0
@done:
    a0 = a1
    ret
