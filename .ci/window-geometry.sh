#!/usr/bin/env bash
# Starts the workbench under a real window manager (openbox in Xvfb) and checks that the main window opens at a
# usable size: JavaFX 21 opened it at 200x200 under openbox in 3 of 4 starts (JDK-8316423). Skips, saying so,
# when Xvfb, openbox or xdotool is missing (.ci/run installs them). Usage: .ci/window-geometry.sh [STARTS]
# Run after `mvn compile`; writes a screenshot of each start to target/window-geometry-N.png when ImageMagick's
# `import` is there.
set -euo pipefail
cd "$(dirname "$0")/.."
starts="${1:-2}"
for tool in Xvfb openbox xdotool; do
  if ! command -v "$tool" >/dev/null; then
    echo "window-geometry: SKIPPED ($tool not on PATH)"
    exit 0
  fi
done
display=":$(( 90 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
app=""
wm=""
cleanup() {
  [ -n "$app" ] && kill -- "-$app" 2>/dev/null || true
  [ -n "$wm" ] && kill "$wm" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
DISPLAY="$display" openbox >/dev/null 2>&1 &
wm=$!
sleep 1
failed=0
for n in $(seq 1 "$starts"); do
  # Its own process group, so the JVM under Maven ends with it.
  set -m
  # A fresh user folder for every start: an autosave left by the previous start (it is killed) would open the
  # recovery question first, and that dialog's window is not the one to measure.
  data_home=$(mktemp -d)
  # Not offline: on a fresh machine `verify` has not fetched the exec plugin (the first start fetches it).
  XDG_DATA_HOME="$data_home" DISPLAY="$display" mvn -q -B -ntp exec:exec >target/window-geometry-$n.log 2>&1 &
  app=$!
  set +m
  win=""
  found=""
  geometry=""
  for _ in $(seq 1 90); do
    win=$(DISPLAY="$display" xdotool search --onlyvisible --name '^SparsityBench' 2>/dev/null | head -n1 || true)
    [ -n "$win" ] && break
    sleep 1
  done
  if [ -z "$win" ]; then
    echo "window-geometry: start $n: no SparsityBench window within 90 s (log: target/window-geometry-$n.log)"
    failed=1
  else
    found=1
    sleep 4 # let the window manager and the first layout settle
    # Search again: the first match may have been a window that has closed since.
    win=$(DISPLAY="$display" xdotool search --onlyvisible --name '^SparsityBench' 2>/dev/null | head -n1 || true)
    geometry=$(DISPLAY="$display" xdotool getwindowgeometry "$win" 2>/dev/null | sed -n 's/.*Geometry: //p' || true)
    title=$(DISPLAY="$display" xdotool getwindowname "$win" 2>/dev/null || true)
  fi
  if [ -n "$found" ] && [ -z "$geometry" ]; then
    echo "window-geometry: start $n: the window closed before it could be measured (log: target/window-geometry-$n.log)"
    failed=1
  elif [ -n "$found" ]; then
    w=${geometry%x*}
    h=${geometry#*x}
    echo "window-geometry: start $n: ${w}x${h} '$title'"
    if command -v import >/dev/null; then
      DISPLAY="$display" import -window root "target/window-geometry-$n.png" 2>/dev/null || true
    fi
    if [ "$w" -lt 1000 ] || [ "$h" -lt 600 ]; then
      echo "window-geometry: start $n: too small (want at least 1000x600)"
      failed=1
    fi
  fi
  kill -- "-$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  app=""
  rm -rf "$data_home"
  # The killed window can stay mapped for a moment: the next start must not find it and measure it.
  for _ in $(seq 1 20); do
    DISPLAY="$display" xdotool search --onlyvisible --name '^SparsityBench' >/dev/null 2>&1 || break
    sleep 1
  done
done
exit "$failed"
