#!/usr/bin/env bash
# Renders the application icon from icons/sparsitybench.svg into every file that uses it:
#   icons/png/sparsitybench-{16,24,32,48,64,128,256,512}.png   (README, Linux packages, docs)
#   icons/sparsitybench.ico                                      (Windows .msi, jpackage --icon)
#   icons/sparsitybench.icns                                     (macOS .dmg, jpackage --icon)
#   src/main/resources/org/sparsitybench/icons/*.png             (the window's stage icons)
# Needs Debian's librsvg2-bin (rsvg-convert), icoutils (icotool) and icnsutils (png2icns):
#   apt-get install -y --no-install-recommends librsvg2-bin icoutils icnsutils
# The outputs are committed, so the build itself never needs these tools; rerun this after editing the SVG.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
svg="$here/sparsitybench.svg"
for tool in rsvg-convert icotool png2icns; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; see the header of $0" >&2; exit 1; }
done

mkdir -p "$here/png"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert --width "$size" --height "$size" --format png --output "$here/png/sparsitybench-$size.png" "$svg"
done

# ICO: bitmaps up to 48 px (what old Windows shells read), PNG-compressed entries from 64 px up.
icotool --create --output "$here/sparsitybench.ico" \
  "$here"/png/sparsitybench-{16,24,32,48}.png \
  --raw="$here/png/sparsitybench-64.png" --raw="$here/png/sparsitybench-128.png" \
  --raw="$here/png/sparsitybench-256.png"

# ICNS: the sizes png2icns knows (16, 32, 48, 128, 256, 512).
png2icns "$here/sparsitybench.icns" "$here"/png/sparsitybench-{16,32,48,128,256,512}.png >/dev/null

res="$root/src/main/resources/org/sparsitybench/icons"
mkdir -p "$res"
for size in 16 24 32 48 64 128 256; do
  cp "$here/png/sparsitybench-$size.png" "$res/"
done

ls -l "$here"/png/*.png "$here/sparsitybench.ico" "$here/sparsitybench.icns"
