#!/usr/bin/env python3
"""Exit 0 when two safetensors files hold the same tensors, bit for bit (names, dtypes, shapes, bytes).

Metadata is not compared: a checkpoint records its wall-clock time and peak memory, which differ between runs.
Prints the first tensor that differs otherwise. Standard library only (used by environment/kill-resume).
"""
import json
import struct
import sys


def tensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], data[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}


def main():
    a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
    if a.keys() != b.keys():
        print("different tensor names: %s" % sorted(set(a) ^ set(b)))
        return 1
    for k in sorted(a):
        if a[k] != b[k]:
            print("tensor %s differs" % k)
            return 1
    print("%d tensors identical" % len(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
