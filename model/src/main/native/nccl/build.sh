#!/usr/bin/env bash
# Builds libsdspark_nccl.so:  build.sh LIBTORCH_DIR NCCL_ROOT [OUT_DIR]
# LIBTORCH_DIR is the CUDA libtorch DJL loads (an unzipped libtorch, or a torch wheel's folder:
# python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))'); NCCL_ROOT holds
# include/nccl.h and lib/libnccl.so* (a wheel's site-packages/nvidia/nccl, or /usr). Needs cmake,
# a C++17 compiler, the CUDA toolkit and a JDK (or JNI_INCLUDE_DIRS="<jdk>/include;<jdk>/include/linux").
set -euo pipefail
libtorch=$(cd "${1:?usage: build.sh LIBTORCH_DIR NCCL_ROOT [OUT_DIR]}" && pwd)
nccl=$(cd "${2:?usage: build.sh LIBTORCH_DIR NCCL_ROOT [OUT_DIR]}" && pwd)
out=$(mkdir -p "${3:-build}" && cd "${3:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
args=(-DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$libtorch/share/cmake/Torch" -DNCCL_ROOT="$nccl")
if [[ -n "${JNI_INCLUDE_DIRS:-}" ]]; then
  args+=(-DJNI_INCLUDE_DIRS="$JNI_INCLUDE_DIRS")
fi
cmake -S "$here" -B "$out" "${args[@]}"
cmake --build "$out" -j "$(nproc)"
echo "$out/libsdspark_nccl.so"
