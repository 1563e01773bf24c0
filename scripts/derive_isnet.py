#!/usr/bin/env python3
"""Derive a lower-resolution ISNet: same weights, input SxS instead of 1024x1024.

The exported graph fixes its Resize targets for 1024x1024 input; they are scaled by S/1024 and the stale
shape annotations dropped. Only the final mask output is kept. Needs Debian's python3-onnx.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main(src, dst, size):
    m = onnx.load(src)
    del m.graph.output[1:]
    del m.graph.value_info[:]
    inits = {i.name: i for i in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == 'Resize' and len(n.input) >= 4 and n.input[3] in inits:
            a = numpy_helper.to_array(inits[n.input[3]]).copy()
            a[2] = a[2] * size // 1024
            a[3] = a[3] * size // 1024
            inits[n.input[3]].CopyFrom(numpy_helper.from_array(a.astype(np.int64), n.input[3]))
    for d, v in zip(m.graph.input[0].type.tensor_type.shape.dim, [1, 3, size, size]):
        d.dim_value = v
    for k in (2, 3):
        m.graph.output[0].type.tensor_type.shape.dim[k].dim_value = size
    onnx.save(m, dst)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
