"""int8 elementwise operators of one input (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, RSQRT, ..., and the int8 -> int8
QUANTIZE the converter puts before a CONCATENATION to requantise an input) as 256-entry tables.

An int8 operator of one int8 input is a function of 256 values. Rather than re-deriving each operator's
fixed-point algorithm (gemmlowp's logistic, TFLite's hard-swish with its own rounding steps), the compiler asks
LiteRT's reference kernel for all 256 answers, on a one-operator copy of the model with the same quantisation
and options, and the device does one table look-up per element. The table is TFLite's arithmetic by
construction, and the fastest kernel there is (256 B of flash per operator). Checked bit-exact against TFLite
Micro too (tests/test_int8_tflite_ops.py), with one known difference: for an int8 RELU / RELU6 whose output is
quantised differently from its input, TFLite Micro clamps without rescaling; the table rescales, as LiteRT."""

from __future__ import annotations

import numpy as np

LUT_OPS = {"LOGISTIC", "TANH", "HARD_SWISH", "LEAKY_RELU", "RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "ELU",
           "GELU", "ABS", "NEG", "RSQRT"}


class UnaryTabulator:
    """Unpacks the model once (flatbuffer object API, from ai-edge-litert) and tabulates its operators."""

    def __init__(self, model_bytes: bytes):
        self.model_bytes = model_bytes
        self._model = None

    def table(self, op_index: int) -> np.ndarray:
        import flatbuffers
        from ai_edge_litert import schema_py_generated as schema
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        if self._model is None:
            self._model = schema.ModelT.InitFromPackedBuf(self.model_bytes, 0)
        full = self._model.subgraphs[0]
        op = full.operators[op_index]
        tensors = []
        for i in (op.inputs[0], op.outputs[0]):
            t = schema.TensorT()
            t.type, t.name, t.quantization, t.buffer, t.shape = (full.tensors[i].type, full.tensors[i].name,
                                                                  full.tensors[i].quantization, 0, [256])
            tensors.append(t)
        one = schema.OperatorT()
        one.opcodeIndex, one.inputs, one.outputs = 0, [0], [1]
        one.builtinOptionsType, one.builtinOptions = op.builtinOptionsType, op.builtinOptions
        sg = schema.SubGraphT()
        sg.tensors, sg.inputs, sg.outputs, sg.operators = tensors, [0], [1], [one]
        model = schema.ModelT()
        model.version, model.subgraphs, model.buffers = 3, [sg], [schema.BufferT()]
        model.operatorCodes = [self._model.operatorCodes[op.opcodeIndex]]
        builder = flatbuffers.Builder(1024)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")

        try:
            interp = Interpreter(model_content=bytes(builder.Output()),
                                 experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
            interp.allocate_tensors()
            interp.set_tensor(interp.get_input_details()[0]["index"], np.arange(-128, 128, dtype=np.int8))
            interp.invoke()
        except (RuntimeError, ValueError) as exc:  # an operator version or option LiteRT has no int8 kernel for
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            raise NotImplementedError(f"LiteRT's reference kernel, which edgec tabulates, cannot run it: {reason}")
        return np.array(interp.get_tensor(interp.get_output_details()[0]["index"]), dtype=np.int8)
