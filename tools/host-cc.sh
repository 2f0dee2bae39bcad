# Sourced by the native checkers' run.sh scripts (tools/softfloat, tools/libc): sets `cc` to $CC, or to
# the first host C compiler found among clang, cc, gcc and the clang next to `swift`; exits if none.
cc="${CC:-}"
if [ -z "$cc" ]; then
    for candidate in clang cc gcc "$(dirname "$(readlink -f "$(command -v swift)")")/clang"; do
        if command -v "$candidate" >/dev/null 2>&1; then cc="$candidate"; break; fi
    done
fi
[ -n "$cc" ] || { echo "no C compiler found (set CC)" >&2; exit 1; }
