#!/usr/bin/env bash
# Builds the macOS packages from `mvn package` output (run on a Mac: jpackage builds only for the machine it
# runs on; pom.xml then picks the Mac's ND4J/OpenBLAS/JavaCPP natives and JavaFX picks its Mac jars):
#   target/jpackage/SparsityBench.app          app-image: Contents/MacOS/SparsityBench (window) and
#                                             Contents/MacOS/sparsitybench-cli (command line)
#   target/jpackage/SparsityBench-VERSION.dmg  drag-to-Applications disk image with .onnx/.sbproj associations
# Usage: mvn -q -B package -DskipTests && packaging/jpackage/build-macos.sh [app-image|dmg|all]   (default all)
# The CLI launcher is called sparsitybench-cli here because macOS file systems ignore case, so `sparsitybench`
# would overwrite the `SparsityBench` window launcher. Not signed or notarized: Gatekeeper asks once (right-click,
# Open); add --mac-sign --mac-signing-key-user-name "..." for a signed build.
# Written to mirror build-linux.sh; it has not been run on a Mac by the project's CI.
set -euo pipefail
what=${1:-all}
case "$what" in app-image | dmg | all) ;; *) echo "usage: $0 [app-image|dmg|all]" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=stage.sh
. "$here/stage.sh"
case "$(uname -s)-$(uname -m)" in
  Darwin-arm64) ort=osx-aarch64 ;;
  Darwin-x86_64) ort=osx-x64 ;;
  *) sb_die "this script builds macOS packages; see packaging/README.md" ;;
esac

sb_locate "$root"
work="$root/target/jpackage"
mkdir -p "$work"
sb_stage_input "$work/input" "$ort" darwin
sb_runtime "$work/runtime"

common=(--name SparsityBench --app-version "$SB_VERSION"
  --description "Desktop workbench and command line for neural-network pruning"
  --vendor SparsityBench --copyright "Copyright SparsityBench authors, Apache-2.0"
  --input "$work/input" --main-jar "$(basename "$SB_JAR")" --main-class org.sparsitybench.app.Launcher
  --runtime-image "$work/runtime" --icon "$root/icons/sparsitybench.icns"
  "${SB_JAVA_OPTIONS[@]}"
  --add-launcher "sparsitybench-cli=$here/cli-launcher.properties"
  --mac-package-identifier org.sparsitybench --mac-package-name SparsityBench)

if [ "$what" != dmg ]; then
  rm -rf "$work/SparsityBench.app"
  jpackage --type app-image --dest "$work" "${common[@]}"
  echo "app-image: $work/SparsityBench.app ($(du -sh "$work/SparsityBench.app" | cut -f1))"
fi

if [ "$what" != app-image ]; then
  rm -f "$work"/SparsityBench-*.dmg
  jpackage --type dmg --dest "$work" "${common[@]}" --license-file "$root/LICENSE" \
    --file-associations "$here/onnx.properties" --file-associations "$here/sbproj.properties"
  ls -lh "$work"/SparsityBench-*.dmg
fi
