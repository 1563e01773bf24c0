#!/usr/bin/env python3
"""Derive a CPU-friendly ISNet: same weights, input SxS instead of 1024x1024, float convolutions.

The exported graph fixes its Resize targets for 1024x1024 input; they are scaled by S/1024 and the stale
shape annotations dropped. Only the final mask output is kept. The dynamic int8 quantisation
(DynamicQuantizeLinear + ConvInteger) is undone: weights are dequantised once, here, into float Conv nodes,
which ONNX Runtime runs about twice as fast on x86 CPUs with the same masks. Needs Debian's python3-onnx.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def dequantise(m):
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    replaced = {}
    dropped = set()
    for ci in [n for n in g.node if n.op_type == 'ConvInteger']:
        xq, wq, _, wzp = ci.input
        x = producer[xq].input[0]  # the float input of DynamicQuantizeLinear
        cast = consumers[ci.output[0]][0]
        mul = consumers[cast.output[0]][0]
        scale = [i for i in mul.input if i != cast.output[0]][0]
        wscale = [i for i in producer[scale].input if i in inits][0]
        w = numpy_helper.to_array(inits[wq]).astype(np.float32)
        z = numpy_helper.to_array(inits[wzp]).astype(np.float32)
        s = numpy_helper.to_array(inits[wscale]).astype(np.float32)
        if s.ndim == 1 and s.size == w.shape[0]:
            s = s.reshape(-1, 1, 1, 1)
        if z.ndim == 1 and z.size == w.shape[0]:
            z = z.reshape(-1, 1, 1, 1)
        name = wq + '_float'
        g.initializer.append(numpy_helper.from_array((w - z) * s, name))
        conv = helper.make_node('Conv', [x, name], [mul.output[0]], name=ci.name + '_float')
        conv.attribute.extend(ci.attribute)
        replaced[id(ci)] = conv
        dropped.update([id(cast), id(mul)])
    nodes = [replaced.get(id(n), n) for n in g.node if id(n) not in dropped]
    del g.node[:]
    g.node.extend(nodes)
    # Drop what no longer feeds the output (the quantisers and their scales).
    outputs = {o.name for o in g.output}
    while True:
        used = set(outputs)
        for n in g.node:
            used.update(n.input)
        keep = [n for n in g.node if any(o in used for o in n.output)]
        if len(keep) == len(g.node):
            break
        del g.node[:]
        g.node.extend(keep)
    used = set()
    for n in g.node:
        used.update(n.input)
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)


def make_dynamic(m):
    """Input of any height and width: each fixed Resize target becomes the runtime shape of the tensor it is
    concatenated with (the U-Net skip connection), or of the input for the side outputs."""
    g = m.graph
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    image = g.input[0].name
    new_nodes = []
    for n in list(g.node):
        if n.op_type != 'Resize' or len(n.input) < 4:
            continue
        concat = [c for c in consumers.get(n.output[0], []) if c.op_type == 'Concat']
        target = [i for i in concat[0].input if i != n.output[0]][0] if concat else image
        p = n.name.replace('/', '_')
        new_nodes += [
            helper.make_node('Shape', [n.input[0]], [p + '_src_shape']),
            helper.make_node('Shape', [target], [p + '_dst_shape']),
            helper.make_node('Slice', [p + '_src_shape', p + '_s0', p + '_s2'], [p + '_nc']),
            helper.make_node('Slice', [p + '_dst_shape', p + '_s2', p + '_s4'], [p + '_hw']),
            helper.make_node('Concat', [p + '_nc', p + '_hw'], [p + '_sizes'], axis=0),
        ]
        for name, v in (('_s0', 0), ('_s2', 2), ('_s4', 4)):
            g.initializer.append(numpy_helper.from_array(np.array([v], dtype=np.int64), p + name))
        n.input[3] = p + '_sizes'
    # Shape helpers must come before their Resize in topological order: prepend them after their inputs exist.
    nodes = list(g.node)
    del g.node[:]
    produced = {i.name for i in g.input} | {i.name for i in g.initializer}
    pending = new_nodes + nodes
    while pending:
        progressed = False
        rest = []
        for n in pending:
            if all((not i) or i in produced for i in n.input):
                g.node.append(n)
                produced.update(n.output)
                progressed = True
            else:
                rest.append(n)
        if not progressed:
            raise RuntimeError('cannot order graph')
        pending = rest
    for d, v in zip(g.input[0].type.tensor_type.shape.dim, ['1', '3', 'height', 'width']):
        d.ClearField('dim_value')
        d.dim_param = v
    g.input[0].type.tensor_type.shape.dim[0].dim_value = 1
    g.input[0].type.tensor_type.shape.dim[1].dim_value = 3
    for k, v in ((2, 'height'), (3, 'width')):
        g.output[0].type.tensor_type.shape.dim[k].ClearField('dim_value')
        g.output[0].type.tensor_type.shape.dim[k].dim_param = v


def main(src, dst, size):
    m = onnx.load(src)
    del m.graph.output[1:]
    del m.graph.value_info[:]
    if size == 0:
        make_dynamic(m)
        dequantise(m)
        onnx.save(m, dst)
        return
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
    dequantise(m)
    onnx.save(m, dst)


if __name__ == '__main__':
    # size 0: any input size (the Resize targets follow the input at run time)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
