#!/usr/bin/env python3
"""Peer of `sparsitybench prune MODEL --out OUT --method global --sparsity S` for float32 SafeTensors files.

    peer_e2e.py MODEL.safetensors OUT.safetensors SPARSITY

Reads every tensor, finds one global magnitude threshold over all 2-D+ float32 tensors with np.partition (the
k-th smallest |w|), zeroes the weights at or below it (ties broken by index so exactly k are pruned), and writes
a SafeTensors file with the same header order. Prints one JSON line: {"pruned", "threshold", "ms"} where ms is
the script's own wall time from start to the file closed (interpreter start not included; the benchmark times
the whole process too).
"""
import json
import struct
import sys
import time

import numpy as np

start = time.perf_counter()
src, dst, sparsity = sys.argv[1], sys.argv[2], float(sys.argv[3])
with open(src, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
meta = header.pop("__metadata__", None)
prunable = [k for k, t in header.items() if t["dtype"] == "F32" and len(t["shape"]) >= 2]
views = {}
for name in prunable:
    a, b = header[name]["data_offsets"]
    views[name] = np.frombuffer(data, dtype=np.float32, count=(b - a) // 4, offset=a)
mags = np.concatenate([np.abs(views[k]) for k in prunable])
k = int(round(sparsity * mags.size))
pruned = 0
threshold = None
out = {}
if k > 0:
    threshold = np.partition(mags, k - 1)[k - 1]
    below = int(np.count_nonzero(mags < threshold))
    ties_to_prune = k - below
    for name in prunable:
        w = views[name].copy()
        a = np.abs(w)
        prune = a < threshold
        tie = np.flatnonzero(a == threshold)
        take = tie[:ties_to_prune]
        ties_to_prune -= take.size
        prune[take] = True
        w[prune] = 0
        pruned += int(prune.sum())
        out[name] = w
hdr = {} if meta is None else {"__metadata__": meta}
offset = 0
for name, t in header.items():
    size = t["data_offsets"][1] - t["data_offsets"][0]
    hdr[name] = {"dtype": t["dtype"], "shape": t["shape"], "data_offsets": [offset, offset + size]}
    offset += size
h = json.dumps(hdr, separators=(",", ":")).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(dst, "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for name, t in header.items():
        if name in out:
            f.write(out[name].tobytes())
        else:
            a, b = t["data_offsets"]
            f.write(data[a:b])
print(json.dumps({"pruned": pruned, "threshold": None if threshold is None else float(threshold),
                  "ms": round((time.perf_counter() - start) * 1000, 1)}))
