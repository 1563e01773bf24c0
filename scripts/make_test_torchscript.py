#!/usr/bin/env python3
"""Writes a tiny TorchScript depth model and its manifest, for the TorchScript plug-point test.

    make_test_torchscript.py OUTDIR

The model maps an image [1, 3, H, W] to a map [1, 1, H, W] that is the mean of the three input channels: a
fixed, known function, so a test can check what the C++ side computes from it. Its manifest declares it a
"depth" model run by the "torchscript" runtime with decoder "relative" (larger = farther), which makes the
twin's depth of an object the normalised brightness under its mask.

Needs PyTorch (Debian: python3-torch, CPU is enough). Exit codes: 0 written, 3 PyTorch is missing, 1 other errors.
"""
import json
import os
import sys

MODEL_ID = "meanchannel_depth"
INPUT_WIDTH = 96
INPUT_HEIGHT = 64


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    try:
        import torch
    except ImportError as e:
        print(f"PyTorch is not available ({e}); install Debian's python3-torch", file=sys.stderr)
        return 3

    class MeanChannelDepth(torch.nn.Module):
        def forward(self, image: torch.Tensor) -> torch.Tensor:
            return image.mean(dim=1, keepdim=True)

    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    module = torch.jit.script(MeanChannelDepth())
    # Self-check before writing: the scripted module computes what the manifest promises.
    probe = torch.rand(1, 3, 4, 5)
    if not torch.allclose(module(probe), probe.mean(dim=1, keepdim=True)):
        print("scripted module does not compute the channel mean", file=sys.stderr)
        return 1
    model_file = MODEL_ID + ".pt"
    module.save(os.path.join(out_dir, model_file))
    manifest = {
        "id": MODEL_ID,
        "role": "depth",
        "description": "test model: depth = mean of the RGB channels (a known function, not a real depth model)",
        "licence": "test fixture",
        "runtimes": ["torchscript"],
        "priority": 100,
        "files": [{"name": model_file}],
        "input": {"width": INPUT_WIDTH, "height": INPUT_HEIGHT, "layout": "nchw", "channels": "rgb",
                  "scale": 1.0 / 255.0, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0], "resize": "stretch"},
        "output": {"decoder": "relative"},
    }
    with open(os.path.join(out_dir, MODEL_ID + ".json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    print(f"wrote {model_file} and {MODEL_ID}.json to {out_dir} (torch {torch.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
