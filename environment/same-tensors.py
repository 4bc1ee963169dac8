#!/usr/bin/env python3
"""Exit 0 when two files hold the same arrays: safetensors files (every tensor, by name) or .npy files.

  same-tensors.py A B            bit for bit (environment/kill-resume: a resumed run equals an uninterrupted one)
  same-tensors.py A B --tol T    float32 values within T * max(1, |a|) (environment/check-cuda-build: two builds)

Metadata is not compared: a checkpoint records its wall-clock time and peak memory, which differ between runs.
Prints the first array that differs, or a one-line summary. Standard library only.
"""
import argparse
import array
import ast
import json
import math
import struct
import sys


def safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], data[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}


def npy(path):
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise SystemExit("%s is not an .npy file" % path)
        major = f.read(2)[0]
        (n,) = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))
        header = ast.literal_eval(f.read(n).decode("latin1"))
        data = f.read()
    dtype = {"<f4": "F32", "<f8": "F64", "|u1": "U8"}.get(header["descr"], header["descr"])
    return {"array": (dtype, list(header["shape"]), data)}


def load(path):
    return npy(path) if path.endswith(".npy") else safetensors(path)


def close(a, b, tol):
    dtype, shape, x = a
    if (dtype, shape) != b[:2] or len(x) != len(b[2]):
        return "dtype or shape differs: %s %s vs %s %s" % (dtype, shape, b[0], b[1])
    if dtype != "F32":
        return None if x == b[2] else "values differ"
    xs, ys = array.array("f", x), array.array("f", b[2])
    worst = 0.0
    for p, q in zip(xs, ys):
        if math.isnan(p) or math.isnan(q) or math.isinf(p) or math.isinf(q):
            return "a value is not finite (%r vs %r)" % (p, q)  # NaN would compare as "within" any tolerance
        worst = max(worst, abs(p - q) / max(1.0, abs(p)))
    return None if worst <= tol else "largest relative difference %.3g > %.3g" % (worst, tol)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--tol", type=float, default=None)
    args = parser.parse_args()
    a, b = load(args.a), load(args.b)
    if a.keys() != b.keys():
        print("different tensor names: %s" % sorted(set(a) ^ set(b)))
        return 1
    for k in sorted(a):
        problem = (None if a[k] == b[k] else "bits differ") if args.tol is None else close(a[k], b[k], args.tol)
        if problem:
            print("%s: %s" % (k, problem))
            return 1
    print("%d arrays %s" % (len(a), "identical" if args.tol is None else "within %.0e" % args.tol))
    return 0


if __name__ == "__main__":
    sys.exit(main())
