#!/bin/sh
# Builds the ARP responder: ebpf/build/l2_responder.bpf.o (the Dockerfile and the Maven build use this path).
set -eu
cd "$(dirname "$0")"
CLANG="${CLANG:-clang}"
mkdir -p build
arch_inc="/usr/include/$(uname -m)-linux-gnu"
"$CLANG" -O2 -g -target bpf -Wall -Werror -I"$arch_inc" -c l2_responder.bpf.c -o build/l2_responder.bpf.o
echo "built $(pwd)/build/l2_responder.bpf.o"
