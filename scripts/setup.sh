#!/usr/bin/env bash
# Installs every Debian 12 package the project needs to build, test and run.
# The only place system packages are installed: CI and the README call it.
#   --bench   also what the benchmarks need (torchvision for the Python
#             reference pipeline, a set of large real photos)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git
  # engine: LibTorch (links the generic libblas.so.3, so OpenBLAS must be the
  # active alternative or matmuls run ~35x slower), FAISS, OpenCV, SQLite, JSON
  libtorch-dev libopenblas0-pthread libopenblas-pthread-dev
  libfaiss-dev libomp-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libsqlite3-dev nlohmann-json3-dev zlib1g-dev libicu-dev
  # SHA-256 from OpenSSL's libcrypto; half floats from Imath (headers only)
  libssl-dev libimath-dev
  # GUI: Qt 6 Widgets, Charts (needs the OpenGL dev package), Test
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev libgl-dev
  qt6-image-formats-plugins
  # tests: fixture scripts use Debian's torch to write TorchScript models
  python3 python3-torch python3-numpy python3-pil
  # screenshots and headless GUI runs; pdftoppm renders report.pdf pages to PNG for checks
  xvfb xauth poppler-utils
  # packaging (scripts/package.sh, tests/test_package.sh): dpkg-shlibdeps comes
  # with build-essential's dpkg-dev; these validate the .desktop entry and the
  # AppStream metainfo
  desktop-file-utils appstream
)
if [ "${1:-}" = "--bench" ]; then
  # plasma-workspace-wallpapers: real photos up to 5120x2880, the benchmark's images
  packages+=(python3-torchvision plasma-workspace-wallpapers)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi

# Make sure the optimized BLAS is the one LibTorch's libblas.so.3 resolves to.
arch_dir=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for alt in libblas.so.3 liblapack.so.3; do
  cand=$(update-alternatives --list "$alt-$arch_dir" 2>/dev/null | grep openblas-pthread | head -n1 || true)
  if [ -n "$cand" ]; then
    current=$(readlink -f "/usr/lib/$arch_dir/$alt" || true)
    if [ "$current" != "$(readlink -f "$cand")" ]; then
      ${SUDO:-} update-alternatives --set "$alt-$arch_dir" "$cand" >/dev/null
    fi
  fi
done
