#!/usr/bin/env sh
# Issue 15's run: fashion-resnet-mini with half its channels removed (l1-structured at 50 %, compacted, counts
# rounded to multiples of 8), recovered by training on the Fashion-MNIST training split (10 % held out chooses the
# best epoch) with distillation from the dense model, measured on the test split; then the written model timed
# against the dense one in ONNX Runtime (batch 1 and 256, one thread, alternating rounds).
# Usage: bench/resnet-mini-structured-recovery.sh [OUT.onnx]   (EPOCHS=12, LR=3e-3, SCHEDULE=cosine, DATA=folder)
# About 3 minutes on a 2-core machine (12 epochs of about 10 s, then the timing); build first:
# mvn -q -B package -DskipTests.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
data="${DATA:-/usr/share/datasets/fashion-mnist}"
out="${1:-/tmp/resnet-mini-c50.onnx}"
sb="$root/packaging/bin/sparsitybench"
dense="$root/sample-models/fashion-resnet-mini/model.onnx"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$sb" finetune "$dense" --method l1-structured --sparsity 0.5 --compact --distill \
  --epochs "${EPOCHS:-12}" --lr "${LR:-3e-3}" --lr-schedule "${SCHEDULE:-cosine}" \
  --train "$data/train-images-idx3-ubyte.gz" --test "$data/t10k-images-idx3-ubyte.gz" --out "$out"
"$sb" bench compact --dense "$dense" --compacted "$out" --batches 1,256 --rounds 9
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
