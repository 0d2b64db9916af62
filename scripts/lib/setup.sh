# Shared by scripts/descent and scripts/test: system packages and the release build.
# shellcheck shell=bash

DESCENT_APT_PACKAGES=(liblua5.4-dev libopenblas-dev zlib1g-dev libedit-dev pkg-config)

# Installs Debian packages with apt (through password-less sudo when not root). Without either it
# prints "$1: sudo apt-get ... install -y PACKAGES" for the user to run and returns 1.
#   apt_install "the tests need luacheck" lua-check || exit 1
apt_install() {
    local why="$1" sudo=""
    shift
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "$why: sudo apt-get update && sudo apt-get install -y $*" >&2
            return 1
        fi
    fi
    echo "descent: installing $* (apt)" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# Installs Lua 5.4, OpenBLAS, zlib and libedit development packages when pkg-config cannot find them.
ensure_system_packages() {
    if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists lua5.4 openblas zlib libedit 2>/dev/null; then
        return 0
    fi
    apt_install "descent needs ${DESCENT_APT_PACKAGES[*]}" "${DESCENT_APT_PACKAGES[@]}" || exit 1
}

# Installs Debian's lua-check (luacheck), which scripts/test runs over every Lua file.
ensure_luacheck() {
    command -v luacheck >/dev/null 2>&1 && return 0
    apt_install "the tests need luacheck" lua-check || exit 1
}

# The CPU level to build the release binary for: x86-64-v3 (AVX2, FMA, BMI1/2, F16C, MOVBE,
# LZCNT: Intel Haswell and later, every AMD Zen) when this CPU has it, else the compiler's
# baseline. DESCENT_CPU_LEVEL=baseline forces the baseline. Both give bit-identical results; the
# v3 binary's vectorized loops are 8 wide instead of 4 (Sources/Tensors/CPULevel.swift).
descent_cpu_level() {
    if [ "${DESCENT_CPU_LEVEL:-}" = baseline ] || [ "$(uname -m)" != x86_64 ]; then echo baseline; return; fi
    local flags f
    flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
    for f in avx avx2 fma bmi1 bmi2 f16c movbe abm sse4_2 popcnt; do
        [[ "$flags" == *" $f "* ]] || { echo baseline; return; }
    done
    echo x86-64-v3
}

# The release binary for this CPU's level (see descent_cpu_level).
release_binary() {
    if [ "$(descent_cpu_level)" = x86-64-v3 ]; then echo "$1/.build-v3/release/descent"; else echo "$1/.build/release/descent"; fi
}

# Builds the release binary for this CPU's level when it is missing or older than any source file.
ensure_release_build() {
    local root="$1" bin scratch flags=()
    bin="$(release_binary "$root")"
    if [ -x "$bin" ] && [ -z "$(cd "$root" && find Sources Package.swift -newer "$bin" -print -quit 2>/dev/null)" ]; then
        return 0
    fi
    scratch="$(dirname "$(dirname "$bin")")"
    if [ "$(descent_cpu_level)" = x86-64-v3 ]; then
        flags=(-Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DDESCENT_X86_64_V3)
    fi
    echo "descent: building (release, $(descent_cpu_level); the first build takes a few minutes)" >&2
    (cd "$root" && swift build -c release --product descent --scratch-path "$scratch" "${flags[@]}" >&2)
}

# Installs Debian's dataset-fashion-mnist (the four IDX files under /usr/share/datasets/fashion-mnist,
# read by data.fashion_mnist) for the examples that need it. Not a requirement of the tests.
ensure_fashion_mnist() {
    [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && return 0
    apt_install "this example needs Fashion-MNIST" dataset-fashion-mnist || exit 1
}

# Installs librsvg's rsvg-convert (Debian librsvg2-bin), which `descent report --plot x.png|x.pdf`
# uses to render figures; SVG output needs nothing.
ensure_rsvg_convert() {
    command -v rsvg-convert >/dev/null 2>&1 && return 0
    apt_install "PNG/PDF figures need rsvg-convert" librsvg2-bin || true
}
