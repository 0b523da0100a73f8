#!/usr/bin/env bash
# The Debian package (packaging/Packaging.cmake), end to end: builds it with
# CPack from this build tree, checks its contents and declared dependencies
# with dpkg-deb, unpacks it into a throw-away root and runs the unpacked xbt
# and xbt-workbench from an unrelated working directory. The unpacked program
# must find its samples under that root, and must fail (not fall back to the
# checkout, which still exists) when they are gone.
#
#   test_package.sh CPACK BUILD_DIR SOURCE_DIR BUILD_TREE_XBT
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 CPACK BUILD_DIR SOURCE_DIR BUILD_TREE_XBT" >&2
  exit 1
fi
cpack=$1
build_dir=$(cd "$2" && pwd)
source_dir=$(cd "$3" && pwd)
built_xbt=$4

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps readelf desktop-file-validate appstreamcli; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/setup.sh"
done
[ -x "$built_xbt" ] || fail "$built_xbt is not built: build first (scripts/build.sh)"

# Outside the build tree on purpose: a binary under the build tree may use
# the checkout's samples/ (InstallPaths.cpp); an installed one must not.
work=$(mktemp -d /tmp/xbt-package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== cpack"
start=$SECONDS
"$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/out" > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
debs=("$work"/out/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then fail "expected one .deb in $work/out, got: ${debs[*]}"; fi
deb=${debs[0]}
echo "$(basename "$deb"): $(du -k "$deb" | cut -f1) KiB, cpack $((SECONDS - start)) s"

echo "== control fields"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = "xbt-workbench" ] || fail "Package is '$(field Package)'"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
echo "Depends: $depends"
echo "Recommends: $(field Recommends)"
[ -n "$depends" ] || fail "no Depends: dpkg-shlibdeps did not run"
# Runtime libraries of what the binaries link, never a -dev package.
for lib in libc6 libtorch1.13 libqt6core6 libqt6widgets6 libqt6charts6 libopencv-core406 libsqlite3-0 libssl3; do
  grep -Eq "(^|[ ,|])$lib([ ,(]|$)" <<<"$depends" || fail "Depends lacks $lib"
done
if grep -Eq -- '-dev([ ,(|]|$)' <<<"$depends"; then fail "Depends names a -dev package"; fi
field Recommends | grep -q libopenblas0-pthread || fail "Recommends lacks libopenblas0-pthread"
# Every package named must be real: in each alternative group one is
# installed here or known to apt (e.g. libopenblas0, the meta package that
# OpenBLAS's shlibs name, is usually not installed itself).
IFS=',' read -ra groups <<<"$depends"
for group in "${groups[@]}"; do
  found=no
  IFS='|' read -ra alternatives <<<"$group"
  for alt in "${alternatives[@]}"; do
    name=$(sed -E 's/\(.*\)//; s/[[:space:]]//g' <<<"$alt")
    if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" ||
       apt-cache show "$name" >/dev/null 2>&1; then
      found=yes
    fi
  done
  [ $found = yes ] || fail "no package of '$group' is installed or known to apt"
done

echo "== contents"
dpkg-deb -c "$deb" > "$work/contents"
paths=$(awk '{print $6}' "$work/contents")
expect=(
  ./usr/bin/xbt
  ./usr/bin/xbt-workbench
  ./usr/share/applications/xbt-workbench.desktop
  ./usr/share/metainfo/io.github.xbt_workbench.metainfo.xml
  ./usr/share/icons/hicolor/scalable/apps/xbt-workbench.svg
  ./usr/share/xbt-workbench/samples/MANIFEST.md
  ./usr/share/xbt-workbench/samples/sample-old.json
  ./usr/share/xbt-workbench/samples/sample-new.json
  ./usr/share/doc/xbt-workbench/README.md
  ./usr/share/doc/xbt-workbench/copyright
  ./usr/share/doc/xbt-workbench/docs/user-guide.md
)
for size in 16 32 48 64 128 256; do
  expect+=("./usr/share/icons/hicolor/${size}x${size}/apps/xbt-workbench.png")
done
for model in sample-old sample-new sample-new-bct sample-new-bt2 sample-new-oca; do
  for f in sample-model.json vocabulary.txt weights.pt; do
    expect+=("./usr/share/xbt-workbench/samples/$model/$f")
  done
done
for p in "${expect[@]}"; do
  grep -qxF "$p" <<<"$paths" || fail "the package lacks $p"
done
outside=$(grep -vE '^\./$|^\./usr/$|^\./usr/(bin|share)/' <<<"$paths" || true)
[ -z "$outside" ] || fail "files outside /usr/bin and /usr/share: $outside"
if awk '{print $2}' "$work/contents" | grep -vqx 'root/root'; then fail "files not owned by root/root"; fi

echo "== unpack into a throw-away root"
root="$work/root"
dpkg -x "$deb" "$root"
for exe in xbt xbt-workbench; do
  # Installed binaries must not carry a search path into the build machine.
  if readelf -d "$root/usr/bin/$exe" | grep -Eq 'RPATH|RUNPATH'; then
    fail "$exe has an RPATH/RUNPATH: $(readelf -d "$root/usr/bin/$exe" | grep -E 'RPATH|RUNPATH')"
  fi
  if readelf -S "$root/usr/bin/$exe" | grep -q '\.debug_info'; then fail "$exe is not stripped"; fi
done
desktop-file-validate "$root/usr/share/applications/xbt-workbench.desktop" || fail "desktop entry invalid"
appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.xbt_workbench.metainfo.xml" > "$work/appstream.log" 2>&1 ||
  { cat "$work/appstream.log" >&2; fail "metainfo invalid"; }

echo "== one license everywhere: LICENSE, the copyright file, AppStream, the maintainer"
holder=$(grep -m1 -oE 'Copyright \(c\) [0-9]+ .*' "$source_dir/LICENSE" | sed -E 's/Copyright \(c\) [0-9]+ //')
[ -n "$holder" ] || fail "LICENSE names no copyright holder"
grep -q '^MIT License' "$source_dir/LICENSE" || fail "LICENSE is not the MIT license"
copyright="$root/usr/share/doc/xbt-workbench/copyright"
grep -qxF "License: Expat" "$copyright" || fail "the copyright file does not say Expat (MIT)"
grep -qF "Copyright: " "$copyright" && grep -qF "$holder" "$copyright" || fail "the copyright file does not name $holder"
grep -qF "<project_license>MIT</project_license>" "$root/usr/share/metainfo/io.github.xbt_workbench.metainfo.xml" ||
  fail "the metainfo's project_license is not MIT"
maintainer=$(dpkg-deb -f "$deb" Maintainer)
grep -qF "$holder" <<<"$maintainer" || fail "Maintainer '$maintainer' is not the copyright holder $holder"
if grep -qiE '\.invalid|example\.(com|org)' <<<"$maintainer"; then fail "Maintainer '$maintainer' is a placeholder"; fi

echo "== run the unpacked xbt from another folder"
elsewhere="$work/elsewhere"
mkdir -p "$elsewhere"
samples="$root/usr/share/xbt-workbench/samples"
# No variable may point it anywhere: only its own prefix counts.
info=$(cd "$elsewhere" && env -u XBT_SAMPLES_DIR "$root/usr/bin/xbt" info --model sample-old) ||
  fail "the unpacked xbt info --model sample-old failed"
echo "$info"
grep -qxE "source: +$samples/sample-old" <<<"$info" || fail "sample-old was not read from $samples"
grep -qxE "embedding dim: +128" <<<"$info" || fail "sample-old's embedding dim is not 128"
# The same weights as the build tree's: the fingerprints agree.
fingerprint() { grep -E '^fingerprint:' | awk '{print $2}'; }
want=$(cd "$elsewhere" && env -u XBT_SAMPLES_DIR "$built_xbt" info --model sample-old | fingerprint)
[ "$(fingerprint <<<"$info")" = "$want" ] || fail "fingerprint differs from the build tree's ($want)"

echo "== without its samples it fails, it does not use the checkout"
mv "$samples" "$samples.moved"
set +e
missing=$(cd "$elsewhere" && env -u XBT_SAMPLES_DIR "$root/usr/bin/xbt" info --model sample-old 2>&1)
rc=$?
set -e
echo "$missing"
[ $rc -ne 0 ] || fail "xbt info succeeded without its samples (it found them elsewhere)"
grep -qF "$samples" <<<"$missing" || fail "the error does not name $samples"
if grep -qF "$source_dir" <<<"$missing"; then fail "the installed xbt looked in the checkout $source_dir"; fi
mv "$samples.moved" "$samples"

echo "== the unpacked workbench starts"
help=$(cd "$elsewhere" && QT_QPA_PLATFORM=offscreen "$root/usr/bin/xbt-workbench" --help 2>&1) ||
  fail "xbt-workbench --help failed: $help"
grep -q "XBT Workbench" <<<"$help" || fail "xbt-workbench --help printed: $help"

echo "package OK: $(basename "$deb") in $((SECONDS - start)) s"
