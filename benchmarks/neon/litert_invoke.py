"""Run under qemu-aarch64 by benchmarks/neon_aarch64.py --xnnpack (the aarch64 CPython of neon/xnnpack_sysroot.py):
a .tflite model in LiteRT's Interpreter, XNNPACK delegate on (the default, what users get), one thread.

    litert_invoke.py MARKERS.so [MODEL.tflite]

MARKERS.so holds edgec_bench_window_begin / _end, loaded first so that their addresses are the same in every run
(printed; without MODEL that is all it does). With MODEL: zero inputs, one warm-up invoke, then the marker
windows the plugin counts: an empty one (the marker calls' own cost), one with one invoke, one with two."""

import ctypes
import sys

markers = ctypes.CDLL(sys.argv[1])
begin, end = markers.edgec_bench_window_begin, markers.edgec_bench_window_end
print("markers", *(hex(ctypes.cast(f, ctypes.c_void_p).value) for f in (begin, end)), flush=True)
if len(sys.argv) > 2:
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=sys.argv[2], num_threads=1)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
    interpreter.invoke()
    begin()
    end()
    begin()
    interpreter.invoke()
    end()
    begin()
    interpreter.invoke()
    interpreter.invoke()
    end()
    print("invoked", flush=True)
