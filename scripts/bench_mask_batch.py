#!/usr/bin/env python3
"""Does batching the crops of one keyframe make the mask model cheaper per crop on this CPU?

Times ONNX Runtime runs of the ISNet graph (its batch dimension made symbolic in a temporary copy) at batch 1, 2
and 4, one intra-op thread, the session options of the twin builder. A benchmark for issue notes and the README,
not a test. Needs onnx and onnxruntime: the private environment scripts/fetch_models.py makes for
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


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with tempfile.TemporaryDirectory() as tmp:
        batched = os.path.join(tmp, 'batched.onnx')
        with_symbolic_batch(sys.argv[1], batched)
        session = ort.InferenceSession(batched, options, providers=['CPUExecutionProvider'])
        name = session.get_inputs()[0].name
        rng = np.random.default_rng(0)
        for side in (320, 512):
            for batch in (1, 2, 4):
                x = rng.random((batch, 3, side, side), dtype=np.float32)
                session.run(None, {name: x})  # warm-up
                repeats = 3
                start = time.perf_counter()
                for _ in range(repeats):
                    session.run(None, {name: x})
                ms = (time.perf_counter() - start) / repeats * 1000
                print(f'side {side} batch {batch}: {ms:6.0f} ms per run, {ms / batch:5.0f} ms per crop', flush=True)


if __name__ == '__main__':
    main()
