#!/usr/bin/env python3
"""Derive a statically quantised ISNet: INT8 weights (per output channel) and UINT8 activations in QDQ form, so
ONNX Runtime runs its convolutions as integer kernels (about twice as fast as float on an AVX2 CPU).

Usage: derive_isnet_int8.py FLOAT_MODEL OUT_MODEL IMAGE_DIR [CROPS_PER_IMAGE]

Activation ranges are calibrated (min/max) on crops of the images in IMAGE_DIR, stretched to 512x512 as the mask
role feeds them: the set-up uses the sample pictures of Debian's opencv-doc, never the benchmark footage. Crops are
cut and scaled by ffmpeg and drawn from a fixed seed, so the calibration inputs are the same on every machine.
Needs onnxruntime (the set-up installs a pinned wheel into a private virtual environment).
"""
import glob
import os
import random
import subprocess
import sys

import numpy as np
import onnx
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_static)

SIDE = 512


def image_size(path):
    r = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height',
                        '-of', 'csv=p=0', path], capture_output=True, text=True)
    if r.returncode != 0 or ',' not in r.stdout:
        return None
    w, h = r.stdout.strip().split('\n')[0].split(',')[:2]
    return int(w), int(h)


def crop(path, x, y, w, h):
    """The crop stretched to SIDE x SIDE, as the model's input tensor (RGB, /255 - 0.5, NCHW)."""
    r = subprocess.run(['ffmpeg', '-v', 'error', '-i', path, '-vf',
                        'crop=%d:%d:%d:%d,scale=%d:%d:flags=bilinear' % (w, h, x, y, SIDE, SIDE),
                        '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], capture_output=True)
    if r.returncode != 0 or len(r.stdout) != SIDE * SIDE * 3:
        return None
    a = np.frombuffer(r.stdout, dtype=np.uint8).reshape(SIDE, SIDE, 3).astype(np.float32) / 255.0 - 0.5
    return a.transpose(2, 0, 1)[None].copy()


def calibration_inputs(image_dir, per_image):
    rng = random.Random(20261204)
    paths = sorted(p for p in glob.glob(os.path.join(image_dir, '*')) if p.lower().endswith(('.jpg', '.png')))
    inputs = []
    for p in paths:
        size = image_size(p)
        if not size or min(size) < 64:
            continue
        w, h = size
        for _ in range(per_image):
            # Boxes of the sizes detectors give: a fifth of the picture up to all of it, with the mask margin.
            cw, ch = rng.randint(w // 5, w), rng.randint(h // 5, h)
            x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
            t = crop(p, x, y, cw & ~1, ch & ~1)
            if t is not None:
                inputs.append(t)
    return inputs


class Reader(CalibrationDataReader):
    def __init__(self, name, inputs):
        self.name = name
        self.it = iter(inputs)

    def get_next(self):
        x = next(self.it, None)
        return None if x is None else {self.name: x}


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, image_dir = sys.argv[1:4]
    per_image = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    inputs = calibration_inputs(image_dir, per_image)
    if len(inputs) < 16:
        print('too few calibration images in %s (%d crops)' % (image_dir, len(inputs)), file=sys.stderr)
        return 1
    name = onnx.load(src, load_external_data=False).graph.input[0].name
    quantize_static(src, dst, Reader(name, inputs), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)
    print('%s: calibrated on %d crops from %s' % (dst, len(inputs), image_dir))
    return 0


if __name__ == '__main__':
    sys.exit(main())
