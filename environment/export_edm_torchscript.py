#!/usr/bin/env python3
"""Export an EDM denoiser (NVlabs/edm network pickle) to TorchScript for get4j's TorchScript teacher.

The reference's teachers are EDM's CIFAR-10 checkpoints (edm-cifar10-32x32-uncond-vp.pkl, ...-cond-vp.pkl), Python
pickles that need EDM's own code (dnnlib, torch_utils) to load. Run this once, where you have EDM and its weights:

    cd /path/to/edm            # a checkout of NVlabs/edm, whose dnnlib and torch_utils this script imports
    python /path/to/get4j/environment/export_edm_torchscript.py edm-cifar10-32x32-uncond-vp.pkl edm-uncond.pt

It writes edm-uncond.pt (TorchScript: forward(x, sigma[, class_labels]) -> D(x; sigma) in float32) and
edm-uncond.pt.json (channels, image size, classes), which get4j reads:

    environment/get4j pairs generate --teacher edm-uncond.pt --seeds 0-49999 --out pairs/cifar10-uncond

Tracing fixes the batch-independent control flow of EDM's networks; the exported module runs on CPU or GPU.
"""
import json
import pickle
import sys

import torch


class Wrapper(torch.nn.Module):
    def __init__(self, net, conditional):
        super().__init__()
        self.net = net
        self.conditional = conditional

    def forward(self, x, sigma, class_labels=None):
        return self.net(x, sigma, class_labels).to(torch.float32)


def main(src, dst):
    sys.path.insert(0, ".")
    import dnnlib  # noqa: F401  (EDM's; needed to unpickle)

    with open(src, "rb") as f:
        net = pickle.load(f)["ema"].eval().requires_grad_(False).to(torch.float32)
    classes = int(net.label_dim)
    size, channels = int(net.img_resolution), int(net.img_channels)
    wrapper = Wrapper(net, classes > 0)
    x = torch.randn(2, channels, size, size)
    sigma = torch.tensor([1.0, 10.0])
    args = (x, sigma, torch.eye(classes)[:2]) if classes else (x, sigma)
    traced = torch.jit.trace(wrapper, args, check_trace=False)
    with torch.no_grad():
        err = (traced(*args) - wrapper(*args)).abs().max().item()
    print(f"traced; max difference to the eager network on a test batch: {err:.3g}")
    traced.save(dst)
    with open(dst + ".json", "w") as f:
        json.dump({"channels": channels, "image_size": size, "num_classes": classes, "source": src}, f)
    print(f"wrote {dst} and {dst}.json")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: export_edm_torchscript.py EDM_NETWORK.pkl OUT.pt")
    main(sys.argv[1], sys.argv[2])
