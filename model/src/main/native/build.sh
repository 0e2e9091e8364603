#!/usr/bin/env bash
# Builds libsdspark_torch.so against a libtorch:  build.sh LIBTORCH_DIR [OUT_DIR]
# LIBTORCH_DIR is an unzipped libtorch, or a torch wheel's install folder (python3 -c 'import torch,
# os; print(os.path.dirname(torch.__file__))'). It must be the libtorch DJL loads (PYTORCH_LIBRARY_PATH
# is its lib/ folder). Needs cmake, a C++17 compiler and a JDK (or JNI_INCLUDE_DIRS="<jdk>/include;<jdk>/include/linux").
set -euo pipefail
libtorch=$(cd "${1:?usage: build.sh LIBTORCH_DIR [OUT_DIR]}" && pwd)
out=$(mkdir -p "${2:-build}" && cd "${2:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
args=(-DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$libtorch/share/cmake/Torch")
if [[ -n "${JNI_INCLUDE_DIRS:-}" ]]; then
  args+=(-DJNI_INCLUDE_DIRS="$JNI_INCLUDE_DIRS")
fi
cmake -S "$here" -B "$out" "${args[@]}"
cmake --build "$out" -j "$(nproc)"
echo "$out/libsdspark_torch.so"
