#!/usr/bin/env bash
# Builds the Linux x86-64 packages from `mvn package` output:
#   target/jpackage/SparsityBench/                 app-image: bin/SparsityBench (window), bin/sparsitybench (CLI)
#   target/jpackage/sparsitybench_VERSION_amd64.deb  installs the image to /opt/sparsitybench, a desktop entry,
#                                                  .onnx/.sbproj associations and /usr/bin/sparsitybench
# Usage: mvn -q -B package -DskipTests && packaging/jpackage/build-linux.sh [app-image|deb|all]   (default all)
# Needs a JDK 17+ (jlink, jpackage), zip/unzip, and for the .deb fakeroot and dpkg-deb (Debian: apt-get install
# zip unzip fakeroot; dpkg-deb is always there).
set -euo pipefail
what=${1:-all}
case "$what" in app-image | deb | all) ;; *) echo "usage: $0 [app-image|deb|all]" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=stage.sh
. "$here/stage.sh"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || sb_die "this script builds Linux x86-64 packages; see packaging/README.md"

sb_locate "$root"
work="$root/target/jpackage"
mkdir -p "$work"
sb_stage_input "$work/input" linux-x64 linux-x86-64
sb_runtime "$work/runtime"

# What both package types share. The deb is built from the same input rather than from the app-image, because
# jpackage (17) forgets the CLI launcher's linux-shortcut=false when it repackages an image.
common=(--name SparsityBench --app-version "$SB_VERSION"
  --description "Desktop workbench and command line for neural-network pruning"
  --vendor SparsityBench --copyright "Copyright SparsityBench authors, Apache-2.0"
  --input "$work/input" --main-jar "$(basename "$SB_JAR")" --main-class org.sparsitybench.app.Launcher
  --runtime-image "$work/runtime" --icon "$root/icons/png/sparsitybench-256.png"
  "${SB_JAVA_OPTIONS[@]}"
  --add-launcher "sparsitybench=$here/cli-launcher.properties")

if [ "$what" != deb ]; then
  rm -rf "$work/SparsityBench"
  jpackage --type app-image --dest "$work" "${common[@]}"
  echo "app-image: $work/SparsityBench ($(du -sh "$work/SparsityBench" | cut -f1))"
fi

if [ "$what" != app-image ]; then
  command -v fakeroot >/dev/null || sb_die "fakeroot not found (Debian: apt-get install fakeroot)"
  rm -f "$work"/sparsitybench_*.deb
  # resource-dir: the desktop entry (passes the opened file to the window) and postinst/prerm (jpackage's own
  # plus the /usr/bin/sparsitybench link).
  jpackage --type deb --dest "$work" "${common[@]}" \
    --license-file "$root/LICENSE" --resource-dir "$here/linux" \
    --file-associations "$here/onnx.properties" --file-associations "$here/sbproj.properties" \
    --linux-package-name sparsitybench --linux-deb-maintainer "sparsitybench@users.noreply.github.com" \
    --linux-menu-group "Education;Science;" --linux-app-category science --linux-shortcut
  deb=$(ls "$work"/sparsitybench_*.deb)
  echo "deb: $deb ($(du -h "$deb" | cut -f1))"
fi
