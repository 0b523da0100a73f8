#!/usr/bin/env bash
# Packs the engine's non-torch build dependencies (FAISS, OpenCV core/imgproc/
# imgcodecs, ICU, SQLite, zlib, OpenSSL's libcrypto, reference BLAS/LAPACK,
# nlohmann-json, Imath's headers) from this
# Debian 12 machine into .gpu/deps.tar.xz, for a lent GPU machine that has CUDA,
# CMake and PyTorch's CUDA LibTorch but none of these (see docs/benchmarks.md,
# "GPU"). OpenCV's imgcodecs links GDAL, GDCM and OpenEXR, whose dependency
# trees are ~150 MB; the engine never reads those formats, so they are replaced
# by stub libraries that define the same symbols and abort if ever called.
#   bash scripts/gpu/pack_deps.sh      # then: device run with carry [".gpu"]
set -euo pipefail
cd "$(dirname "$0")/../.."
# Keep the pack out of git; in a worktree .git is a file, so ask git where the exclude file is.
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qsx '/.gpu/' "$exclude" || echo '/.gpu/' >> "$exclude"
ARCH=x86_64-linux-gnu
SYS=/usr/lib/$ARCH
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
D=$STAGE/deps/usr
L=$D/lib/$ARCH
mkdir -p "$L" "$D/include" "$D/share/cmake"

python3 - "$L" <<'PY'
import os, subprocess, sys, shutil
out = sys.argv[1]
SYS = "/usr/lib/x86_64-linux-gnu"
system = ("libc.so", "libm.so", "libstdc++", "libgcc_s", "ld-linux", "libpthread", "libdl.so", "librt.so")
stubbed = ("libgdal.so", "libgdcm", "libOpenEXR", "libheif")
roots = ["libopencv_core.so.406", "libopencv_imgproc.so.406", "libopencv_imgcodecs.so.406",
         "libicuuc.so.72", "libicui18n.so.72", "libsqlite3.so.0", "libz.so.1", "libgomp.so.1", "libcrypto.so.3"]
# Reference BLAS/LAPACK (small) instead of OpenBLAS (36 MB): only FAISS and the
# evaluation's sgemm use them there, and neither is what the GPU run times.
special = {"libblas.so.3": SYS + "/blas/libblas.so.3", "liblapack.so.3": SYS + "/lapack/liblapack.so.3"}
roots += list(special)
def path(name):
    if name in special: return special[name]
    for d in (SYS, "/lib/x86_64-linux-gnu", "/usr/lib", "/lib"):
        p = os.path.join(d, name)
        if os.path.exists(p): return p
    raise SystemExit("missing " + name)
def needed(p):
    d = subprocess.run(["readelf", "-d", p], capture_output=True, text=True).stdout
    return [l.split("[")[1].split("]")[0] for l in d.splitlines() if "(NEEDED)" in l]
def dynsyms(p, undefined):
    t = subprocess.run(["nm", "-D", "--with-symbol-versions" if False else "-D", p], capture_output=True, text=True).stdout
    res = {}
    for line in t.splitlines():
        parts = line.split()
        if undefined and len(parts) == 2 and parts[0] in ("U", "w"): res[parts[1].split("@")[0]] = parts[0]
        if not undefined and len(parts) == 3 and parts[1] not in ("U", "w"): res[parts[2].split("@")[0]] = parts[1]
    return res
kept, stubs, todo = {}, set(), list(roots)
while todo:
    n = todo.pop()
    if n in kept or n.startswith(system): continue
    if n.startswith(stubbed): stubs.add(n); continue
    kept[n] = path(n); todo += needed(kept[n])
for n, p in kept.items():
    shutil.copyfile(os.path.realpath(p), os.path.join(out, n))
wanted = {}
for p in kept.values(): wanted.update(dynsyms(os.path.realpath(p), True))
for s in sorted(stubs):
    defined = dynsyms(os.path.realpath(path(s)), False)
    sizes = {}
    for line in subprocess.run(["nm", "-D", "-S", "--defined-only", os.path.realpath(path(s))], capture_output=True, text=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 4: sizes[parts[3].split("@")[0]] = int(parts[1], 16)
    src = ["#include <stdlib.h>", "#include <stdio.h>"]
    for sym in sorted(set(wanted) & set(defined)):
        if defined[sym] in "TtWiI" and (any(x in sym for x in ("C1E", "C2E", "D0E", "D1E", "D2E")) or sym == "GDALAllRegister"):
            # imgcodecs constructs OpenEXR globals at load time and registers GDAL when
            # its codec table is built: let those be no-ops.
            src.append(f'__attribute__((visibility("default"))) void {sym}(void) {{}}')
        elif defined[sym] in "TtWiI":
            src.append(f'__attribute__((visibility("default"))) void {sym}(void) {{ fputs("stub called: {sym}\\n", stderr); abort(); }}')
        else:
            src.append(f'__attribute__((visibility("default"))) char {sym}[{max(8, sizes.get(sym, 8))}] = {{0}};')
    c = os.path.join(out, s + ".c")
    open(c, "w").write("\n".join(src) + "\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O0", "-w", "-o", os.path.join(out, s), f"-Wl,-soname,{s}", c], check=True)
    os.remove(c)
print("kept", len(kept), "libraries; stubbed", sorted(stubs))
PY
# Link-time names for the libraries the engine links directly.
(cd "$L" && for so in libopencv_core.so.406 libopencv_imgproc.so.406 libopencv_imgcodecs.so.406 libicuuc.so.72 \
    libicui18n.so.72 libicudata.so.72 libsqlite3.so.0 libz.so.1 libcrypto.so.3 libblas.so.3 liblapack.so.3; do
  ln -sf "$so" "${so%%.so*}.so"; done)
cp "$SYS/libfaiss.a" "$L/"
mkdir -p "$L/cmake"
cp -r "$SYS/cmake/faiss" "$L/cmake/"
sed -i "s#/usr/lib/$ARCH/lib\(blas\|lapack\)\.so#\${_IMPORT_PREFIX}/lib/$ARCH/lib\1.so#g" "$L/cmake/faiss/faiss-targets.cmake"
cp -r /usr/share/cmake/nlohmann_json "$D/share/cmake/"
cp -r /usr/include/opencv4 /usr/include/faiss /usr/include/nlohmann /usr/include/unicode /usr/include/Imath \
  /usr/include/openssl "$D/include/"
# OpenSSL's configuration headers are per architecture on Debian: merge them in.
cp /usr/include/$ARCH/openssl/*.h "$D/include/openssl/"
cp /usr/include/sqlite3.h /usr/include/sqlite3ext.h /usr/include/zlib.h /usr/include/zconf.h "$D/include/"
cp /usr/include/$ARCH/cblas.h /usr/include/$ARCH/openblas_config.h "$D/include/" 2>/dev/null ||
  cp /usr/include/$ARCH/openblas-pthread/{cblas.h,openblas_config.h} "$D/include/"
mkdir -p .gpu
tar -C "$STAGE" -cJf .gpu/deps.tar.xz deps
du -h .gpu/deps.tar.xz
