#!/bin/sh
# clang and its libFuzzer runtime, installed from Debian when missing.
# On Debian 12, libclang_rt.fuzzer-x86_64.a is in libclang-rt-14-dev
# (/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/); clang is clang-14.
set -eu

CC=${1:-clang}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if "$CC" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" \
        >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz: $CC cannot build a libFuzzer harness; install clang and" \
         "libclang-rt-14-dev (as root: apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
echo "fuzz: installing clang and libclang-rt-14-dev"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q clang libclang-rt-14-dev >/dev/null
"$CC" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c"
