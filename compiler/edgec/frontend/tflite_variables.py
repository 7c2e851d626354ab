"""TFLite resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, CALL_ONCE) as edgec's state.

A TFLite model keeps a value from one Invoke to the next in a resource variable: CALL_ONCE runs an initialiser
subgraph on the first Invoke (VAR_HANDLE + ASSIGN_VARIABLE of a constant), then each Invoke reads the variable
(READ_VARIABLE) and assigns its new value (ASSIGN_VARIABLE). Streaming models keep their sliding windows that way.
edgec keeps such a value where it keeps an SVDF's memory (ir.Tensor.state: a static buffer outside the arena),
set to the initialiser's value before the first run and by <name>_reset_state().

Here, before any importer reads the model, the variable operators leave the main subgraph:
  - the value a variable holds when a run starts becomes an extra graph input (the first READ_VARIABLE's output);
  - the value it holds at the end of the run (the last ASSIGN_VARIABLE's) becomes an extra graph output;
  - a READ_VARIABLE after an ASSIGN_VARIABLE reads the assigned tensor itself; a variable the main subgraph never
    assigns is the constant its initialiser gave it.
passes/state_variables.py then makes that input the state tensor and copies the output into it as the run's last
step, after every read of the old value. The copy moves bytes, as TFLite Micro's ASSIGN_VARIABLE does: an int8
variable keeps the assigned bytes and is read with the READ_VARIABLE tensor's scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UnsupportedModelError

VARIABLE_OPS = {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"}
NUMPY_TYPES = {0: np.float32, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_, 7: np.int16, 9: np.int8}


@dataclass
class StateVariable:
    name: str  # the variable's shared_name
    input_index: int  # graph input that stands for its value when a run starts
    output_index: int  # graph output that holds its value when the run ends
    initial: np.ndarray  # its value before the first run (CALL_ONCE's initialiser)


def has_variables(model) -> bool:
    from .tflite import op_name

    sg = model.Subgraphs(0)
    return any(op_name(model, sg.Operators(k)) in VARIABLE_OPS for k in range(sg.OperatorsLength()))


def lower_variables(model) -> tuple[bytes, int, list[StateVariable]]:
    """(the model without its variable operators as a new flatbuffer, its original number of inputs, the state
    variables). UnsupportedModelError names every variable it cannot keep, and why."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    m = schema.ModelT.InitFromPackedBuf(model._tab.Bytes, 0)
    main = m.subgraphs[0]
    tensors = main.tensors
    problems: list[tuple[str, str, str]] = []

    def label(i: int) -> str:
        return tensors[i].name.decode(errors="replace") if tensors[i].name else f"#{i}"

    def key_of(op) -> tuple[bytes, bytes]:
        o = op.builtinOptions
        return (o.container or b"", o.sharedName or b"") if o is not None else (b"", b"")

    initial: dict[tuple[bytes, bytes], int] = {}  # variable -> the initialiser's constant tensor (its subgraph's)
    handles: dict[int, tuple[bytes, bytes]] = {}  # VAR_HANDLE output -> variable
    at_start: dict[tuple[bytes, bytes], int] = {}  # variable -> the READ_VARIABLE output of its value at the start
    current: dict[tuple[bytes, bytes], int] = {}  # variable -> the tensor holding its value now
    replaced: dict[int, int] = {}  # tensor -> tensor it stands for
    kept = []
    init_sg = None

    for k, op in enumerate(main.operators):
        kind, ins, outs = op_kind(m, op), _ints(op.inputs), _ints(op.outputs)
        if kind == "CALL_ONCE":
            if handles or init_sg is not None:
                problems.append((f"operator {k}", kind, "CALL_ONCE after a variable operator (edgec takes one "
                                 "initialiser that runs before every other operator)"))
                continue
            init_sg = int(op.builtinOptions.initSubgraphIndex) if op.builtinOptions is not None else 0
            initial = _initialiser(m, init_sg, problems)
        elif kind == "VAR_HANDLE":
            handles[outs[0]] = key_of(op)
        elif kind in ("READ_VARIABLE", "ASSIGN_VARIABLE"):
            var = handles.get(ins[0])
            if var is None:
                problems.append((label(ins[0]), kind, "the resource is not a VAR_HANDLE of this subgraph"))
                continue
            if kind == "ASSIGN_VARIABLE":
                current[var] = replaced.get(ins[1], ins[1])
                continue
            out, value = outs[0], current.get(var, at_start.get(var))
            if value is None:
                at_start[var] = out
            elif same_value_type(tensors[value], tensors[out]):
                replaced[out] = value
            else:
                problems.append((label(out), kind, f"reads variable '{var[1].decode(errors='replace')}' as another "
                                 "type, shape or scale than the value assigned to it"))
        else:
            op.inputs = [replaced.get(i, i) for i in ins]
            kept.append(op)
    main.outputs = [replaced.get(i, i) for i in _ints(main.outputs)]

    n_inputs = len(_ints(main.inputs))
    variables: list[StateVariable] = []
    inputs, outputs = _ints(main.inputs), list(main.outputs)
    for var, read in at_start.items():
        name = var[1].decode(errors="replace") or label(read)
        if var not in initial:
            problems.append((label(read), "READ_VARIABLE", f"variable '{name}' is read before anything assigns it "
                             "(no CALL_ONCE initialiser sets it)"))
            continue
        value = _constant_value(m, m.subgraphs[init_sg].tensors[initial[var]], tensors[read])
        if value is None:
            problems.append((label(read), "READ_VARIABLE", f"variable '{name}': the initialiser's value does not "
                             "have the variable's type and size"))
            continue
        end = current.get(var, read)
        if end == read:  # never assigned a new value: the initialiser's constant
            buf = schema.BufferT()
            buf.data = np.frombuffer(value.tobytes(), np.uint8)
            m.buffers.append(buf)
            tensors[read].buffer = len(m.buffers) - 1
            continue
        tensors[read].name = name.encode()  # the state's C symbol and report line carry the variable's name
        variables.append(StateVariable(name, len(inputs), len(outputs), value))
        inputs.append(read)
        outputs.append(end)
    if problems:
        raise UnsupportedModelError(problems)
    main.operators, main.inputs, main.outputs = kept, inputs, outputs
    m.subgraphs = [main]  # the initialiser is folded in; other subgraphs (IF, WHILE) are refused by the importers
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output()), n_inputs, variables


def _initialiser(m, index: int, problems: list) -> dict[tuple[bytes, bytes], int]:
    """CALL_ONCE's subgraph: {variable: the constant tensor it assigns}. It may hold VAR_HANDLE and ASSIGN_VARIABLE
    of constants only (what TensorFlow's converter writes for a tf.Variable's initial value)."""
    if not 0 < index < len(m.subgraphs):
        problems.append(("CALL_ONCE", "CALL_ONCE", f"initialiser subgraph {index} does not exist "
                         f"(the model has {len(m.subgraphs)})"))
        return {}
    sg = m.subgraphs[index]
    handles, assigned = {}, {}
    for k, op in enumerate(sg.operators or []):
        kind, ins, outs = op_kind(m, op), _ints(op.inputs), _ints(op.outputs)
        if kind == "VAR_HANDLE":
            o = op.builtinOptions
            handles[outs[0]] = (o.container or b"", o.sharedName or b"") if o is not None else (b"", b"")
        elif kind == "ASSIGN_VARIABLE" and ins[0] in handles and _has_data(m, sg.tensors[ins[1]]):
            assigned[handles[ins[0]]] = ins[1]
        else:
            problems.append((f"subgraph {index} operator {k}", kind, "CALL_ONCE's initialiser may only assign "
                             "constants to variables"))
    return assigned


def op_kind(m, op) -> str:
    """An object-API operator's builtin name (as tflite.op_name gives it for the reader API)."""
    from ai_edge_litert import schema_py_generated as schema

    code = m.operatorCodes[op.opcodeIndex]
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    return next((k for k, v in vars(schema.BuiltinOperator).items() if v == builtin and not k.startswith("_")), "?")


def same_value_type(ta, tb) -> bool:
    """Two object-API tensors hold values of one type, shape and quantization (TFLite moves such values as bytes)."""
    return ta.type == tb.type and _ints(ta.shape) == _ints(tb.shape) and _quant(ta.quantization) == _quant(tb.quantization)


def _ints(values) -> list[int]:
    """An object-API vector (a NumPy array, a list or None) as a list."""
    return [] if values is None else [int(v) for v in values]


def _quant(q) -> tuple[list, list]:
    return ([], []) if q is None else ([float(v) for v in (q.scale if q.scale is not None else [])], _ints(q.zeroPoint))


def _has_data(m, tensor) -> bool:
    return 0 < tensor.buffer < len(m.buffers) and m.buffers[tensor.buffer].data is not None


def _constant_value(m, source, variable) -> np.ndarray | None:
    """The initialiser's constant as the variable's array, or None if type or size differ."""
    dtype = NUMPY_TYPES.get(variable.type)
    data = np.asarray(m.buffers[source.buffer].data, np.uint8).tobytes()
    shape = _ints(variable.shape)
    if dtype is None or source.type != variable.type or len(data) != int(np.prod(shape)) * np.dtype(dtype).itemsize:
        return None
    return np.frombuffer(data, dtype).reshape(shape).copy()
