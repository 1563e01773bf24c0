#!/usr/bin/env python3
"""What the mask model costs per crop on this CPU: batched, and under other ONNX Runtime session options.

1. Batching the crops of one keyframe: ISNet (its batch dimension made symbolic in a temporary copy) at batch 1,
   2 and 4, one intra-op thread, the twin builder's session options.
2. Session options, one 512x512 crop at a time: graph optimisation level, memory arena, intra-op threads.
A benchmark for issue notes and the README, not a test. Needs onnx and onnxruntime: the private environment scripts/fetch_models.py makes for
`--also isnet_crop_int8` has both:
    ~/.cache/twinseek/pyenv-quant/bin/python scripts/bench_mask_batch.py ~/.cache/twinseek/models/isnet_f32_any.onnx
"""
import os
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort


def with_symbolic_batch(path, out):
    model = onnx.load(path)
    for value in list(model.graph.input) + list(model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = 'batch'
    del model.graph.value_info[:]  # shapes inferred for batch 1 would contradict the new input
    onnx.save(model, out)


def session_options(level=ort.GraphOptimizationLevel.ORT_ENABLE_ALL, arena=False, threads=1):
    """The twin builder's options by default (core/vision/backends/onnxruntimebackend.cpp)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.enable_cpu_mem_arena = arena
    options.graph_optimization_level = level
    return options


def ms_per_run(session, x, repeats=3):
    name = session.get_inputs()[0].name
    session.run(None, {name: x})  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        session.run(None, {name: x})
    return (time.perf_counter() - start) / repeats * 1000


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rng = np.random.default_rng(0)
    cpu = ['CPUExecutionProvider']
    with tempfile.TemporaryDirectory() as tmp:
        batched = os.path.join(tmp, 'batched.onnx')
        with_symbolic_batch(sys.argv[1], batched)
        session = ort.InferenceSession(batched, session_options(), providers=cpu)
        for side in (320, 512):
            for batch in (1, 2, 4):
                ms = ms_per_run(session, rng.random((batch, 3, side, side), dtype=np.float32))
                print(f'side {side} batch {batch}: {ms:6.0f} ms per run, {ms / batch:5.0f} ms per crop', flush=True)
    x = rng.random((1, 3, 512, 512), dtype=np.float32)
    levels = ort.GraphOptimizationLevel
    variants = [
        ('default: all graph optimisations, no arena, 1 thread', session_options()),
        ('basic graph optimisations', session_options(level=levels.ORT_ENABLE_BASIC)),
        ('extended graph optimisations', session_options(level=levels.ORT_ENABLE_EXTENDED)),
        ('no graph optimisation', session_options(level=levels.ORT_DISABLE_ALL)),
        ('memory arena on', session_options(arena=True)),
        ('2 intra-op threads', session_options(threads=2)),
    ]
    for label, options in variants:
        ms = ms_per_run(ort.InferenceSession(sys.argv[1], options, providers=cpu), x)
        print(f'512x512, {label}: {ms:6.0f} ms', flush=True)


if __name__ == '__main__':
    main()
