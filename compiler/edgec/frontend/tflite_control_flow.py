"""TFLite control flow (IF, WHILE) inlined into the main subgraph, so that every importer sees a plain graph.

edgec's generated C is one straight sequence of kernel calls over one planned arena. So:
  - IF: both branch subgraphs are inlined on the IF's inputs and each output is SELECT_V2(cond, then, else).
    Exact, since branches have no side effects (a branch that touches a variable is refused), at the cost of
    running both; the report's MACs and arena count both branches.
  - WHILE: unrolled, when its trip count is known at compile time: the condition subgraph is evaluated on the
    loop values known as constants (a counter and its limit, as TensorFlow's converter writes for a loop over a
    sequence), and each iteration's body is inlined with those values folded, so a slice at the counter reads a
    constant offset. A loop whose count depends on the input is refused, naming it, and so is one of more than
    MAX_ITERATIONS iterations or MAX_UNROLLED_OPERATORS operators in all (the generated code grows with each).
TFLite moves values between subgraphs as bytes, whatever their scale: a branch or loop value whose type, shape or
scale differs from the tensor it lands in is refused rather than reinterpreted.
"""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedModelError
from .tflite_variables import NUMPY_TYPES, _ints, op_kind, same_value_type

CONTROL_FLOW_OPS = {"IF", "WHILE"}
MAX_UNROLLED_OPERATORS = 20000
MAX_ITERATIONS = 4096
# Integer and bool operators folded while unrolling (the loop's counter and condition); float math is left to the
# kernels, whose rounding the reference shares
FOLDED = {
    "ADD": np.add, "SUB": np.subtract, "MUL": np.multiply, "MAXIMUM": np.maximum, "MINIMUM": np.minimum,
    "LESS": np.less, "LESS_EQUAL": np.less_equal, "GREATER": np.greater, "GREATER_EQUAL": np.greater_equal,
    "EQUAL": np.equal, "NOT_EQUAL": np.not_equal, "LOGICAL_AND": np.logical_and, "LOGICAL_OR": np.logical_or,
    "LOGICAL_NOT": np.logical_not,
}
FOLDED_TYPES = {2, 4, 6}  # int32, int64, bool
RESHAPES = {"RESHAPE", "SQUEEZE", "EXPAND_DIMS"}  # folded too: the counter as an index vector


def has_control_flow(model) -> bool:
    from .tflite import op_name

    sg = model.Subgraphs(0)
    return any(op_name(model, sg.Operators(k)) in CONTROL_FLOW_OPS for k in range(sg.OperatorsLength()))


def inline_control_flow(model) -> bytes:
    """The model with every IF and WHILE of its main subgraph inlined, as a new flatbuffer."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    m = schema.ModelT.InitFromPackedBuf(model._tab.Bytes, 0)
    inliner = _Inliner(m, schema)
    main = m.subgraphs[0]
    main.operators = inliner.operators(main, list(main.operators or []), stack=())
    main.outputs = [inliner.replaced.get(i, i) for i in _ints(main.outputs)]
    if inliner.problems:
        raise UnsupportedModelError(inliner.problems)
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


class _Inliner:
    def __init__(self, m, schema):
        self.m, self.schema = m, schema
        self.problems: list[tuple[str, str, str]] = []
        self.emitted = 0
        self.replaced: dict[int, int] = {}  # a WHILE's output -> the main tensor of its last value

    def value(self, sg, i: int) -> np.ndarray | None:
        """A tensor's constant value (its buffer), for the types the unroller folds."""
        t = sg.tensors[i]
        if t.type not in FOLDED_TYPES or not 0 < t.buffer < len(self.m.buffers) or self.m.buffers[t.buffer].data is None:
            return None
        data = np.asarray(self.m.buffers[t.buffer].data, np.uint8).tobytes()
        shape, dtype = _ints(t.shape), NUMPY_TYPES[t.type]
        if len(data) != int(np.prod(shape)) * np.dtype(dtype).itemsize:
            return None
        return np.frombuffer(data, dtype).reshape(shape)

    def constant(self, main, like: int, value: np.ndarray, name: str) -> int:
        """A new constant tensor of the main subgraph, typed as tensor `like`."""
        buf = self.schema.BufferT()
        buf.data = np.frombuffer(np.ascontiguousarray(value, NUMPY_TYPES[main.tensors[like].type]).tobytes(), np.uint8)
        self.m.buffers.append(buf)
        t = self.schema.TensorT()
        t.shape, t.type, t.name, t.buffer = list(value.shape), main.tensors[like].type, name.encode(), len(self.m.buffers) - 1
        main.tensors.append(t)
        return len(main.tensors) - 1

    def label(self, sg, i: int) -> str:
        return sg.tensors[i].name.decode(errors="replace") if sg.tensors[i].name else f"#{i}"

    # -- the main subgraph's operator list, control flow replaced -------------------------------------------
    def operators(self, main, ops: list, stack: tuple) -> list:
        out = []
        for op in ops:
            op.inputs = [self.replaced.get(i, i) for i in _ints(op.inputs)]
            kind = op_kind(self.m, op)
            if kind == "IF":
                out += self.inline_if(main, op, stack)
            elif kind == "WHILE":
                out += self.unroll_while(main, op, stack)
            else:
                out.append(op)
        return out

    def branch(self, main, index: int, args: list[int], prefix: str, stack: tuple, fold: bool = False):
        """Subgraph `index` inlined on main's tensors `args`: (its operators, the main tensors of its outputs).
        With fold, integer operators whose inputs are constants become constants. stack: the subgraphs being
        inlined around this one."""
        if not 0 < index < len(self.m.subgraphs):
            raise _Refusal(f"subgraph {index} does not exist (the model has {len(self.m.subgraphs)})")
        if index in stack:
            raise _Refusal(f"subgraph {index} runs itself (recursion cannot be inlined)")
        sg = self.m.subgraphs[index]
        inputs = _ints(sg.inputs)
        if len(inputs) != len(args):
            raise _Refusal(f"subgraph {index} takes {len(inputs)} inputs, given {len(args)}")
        mapped = dict(zip(inputs, args))
        ops = []
        for op in sg.operators or []:
            kind = op_kind(self.m, op)
            if kind in ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"):
                raise _Refusal(f"subgraph {index} uses resource variables (edgec inlines control flow, which must "
                               "have no side effects)")
            ins = [self.tensor(main, sg, i, mapped, prefix) if i >= 0 else -1 for i in _ints(op.inputs)]
            outs = [self.tensor(main, sg, i, mapped, prefix) for i in _ints(op.outputs)]
            values = [self.value(main, i) if i >= 0 else None for i in ins]
            if fold and kind in FOLDED.keys() | RESHAPES and len(outs) == 1 and values and \
                    all(v is not None for v in values[:1 if kind in RESHAPES else None]) and \
                    main.tensors[outs[0]].type in FOLDED_TYPES and _no_activation(op):
                dtype = NUMPY_TYPES[main.tensors[outs[0]].type]
                if kind in RESHAPES:
                    result = values[0].astype(dtype).reshape(_ints(main.tensors[outs[0]].shape))
                else:
                    result = np.asarray(FOLDED[kind](*values), dtype)
                mapped[_ints(op.outputs)[0]] = self.constant(main, outs[0], result, self.label(main, outs[0]))
                continue
            new = self.schema.OperatorT()
            for field, value in vars(op).items():
                setattr(new, field, value)
            new.inputs, new.outputs = ins, outs
            ops.append(new)
        ops = self.operators(main, ops, stack + (index,))
        self.emitted += len(ops)
        if self.emitted > MAX_UNROLLED_OPERATORS:
            raise _Refusal(f"inlining makes more than {MAX_UNROLLED_OPERATORS} operators")
        return ops, [self.tensor(main, sg, i, mapped, prefix) for i in _ints(sg.outputs)]

    def tensor(self, main, sg, i: int, mapped: dict, prefix: str) -> int:
        """Subgraph tensor i as a main tensor: an input's argument, or a copy made on first use."""
        if i not in mapped:
            import copy

            t = copy.copy(sg.tensors[i])
            t.name = f"{prefix}/{self.label(sg, i)}".encode()
            main.tensors.append(t)
            mapped[i] = len(main.tensors) - 1
        return mapped[i]

    def inline_if(self, main, op, stack: tuple) -> list:
        ins, outs = _ints(op.inputs), _ints(op.outputs)
        name = self.label(main, outs[0]) if outs else "IF"
        o = op.builtinOptions
        try:
            if o is None or not ins:
                raise _Refusal("no branch subgraphs or no condition")
            cond = ins[0]
            if main.tensors[cond].type != 6 or int(np.prod(_ints(main.tensors[cond].shape))) != 1:
                raise _Refusal("the condition is not one bool")
            ops = []
            results = []
            for branch, index in (("then", o.thenSubgraphIndex), ("else", o.elseSubgraphIndex)):
                branch_ops, branch_outs = self.branch(main, index, ins[1:], f"{name}/{branch}", stack)
                if len(branch_outs) != len(outs):
                    raise _Refusal(f"the {branch} branch gives {len(branch_outs)} outputs for {len(outs)}")
                ops += branch_ops
                results.append(branch_outs)
            for k, out in enumerate(outs):
                for branch, produced in zip(("then", "else"), (results[0][k], results[1][k])):
                    if not same_value_type(main.tensors[produced], main.tensors[out]):
                        raise _Refusal(f"output {k}: the {branch} branch writes another type, shape or scale than "
                                       "the IF's output")
                select = self.schema.OperatorT()
                select.opcodeIndex = self.opcode("SELECT_V2")
                select.inputs, select.outputs = [cond, results[0][k], results[1][k]], [out]
                ops.append(select)
            return ops
        except _Refusal as why:
            self.problems.append((name, "IF", str(why)))
            return []

    def unroll_while(self, main, op, stack: tuple) -> list:
        ins, outs = _ints(op.inputs), _ints(op.outputs)
        name = self.label(main, outs[0]) if outs else "WHILE"
        o = op.builtinOptions
        try:
            if o is None or len(ins) != len(outs):
                raise _Refusal("no condition and body subgraphs, or loop values in and out differ in number")
            values, ops = list(ins), []
            for step in range(MAX_ITERATIONS + 1):
                cond_ops, (cond,) = self.branch(main, o.condSubgraphIndex, values, f"{name}/cond{step}", stack,
                                                fold=True)
                verdict = self.value(main, cond)
                if cond_ops or verdict is None or verdict.size != 1:
                    raise _Refusal("the number of iterations depends on the input (edgec unrolls loops whose count "
                                   "is known when compiling)")
                if not bool(verdict.reshape(())):
                    break
                body_ops, values = self.branch(main, o.bodySubgraphIndex, values, f"{name}/{step}", stack, fold=True)
                ops += body_ops
            else:
                raise _Refusal(f"the loop runs more than {MAX_ITERATIONS} times (edgec unrolls it)")
            for value, out in zip(values, outs):  # the loop's results are its last values
                if not same_value_type(main.tensors[value], main.tensors[out]):
                    raise _Refusal(f"the loop value {self.label(main, out)} changes type, shape or scale")
                self.replaced[out] = value
            return ops
        except _Refusal as why:
            self.problems.append((name, "WHILE", str(why)))
            return []

    def opcode(self, kind: str) -> int:
        code = getattr(self.schema.BuiltinOperator, kind)
        for k, oc in enumerate(self.m.operatorCodes):
            if max(oc.builtinCode, oc.deprecatedBuiltinCode) == code:
                return k
        oc = self.schema.OperatorCodeT()
        oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = code, min(code, 127), 1
        self.m.operatorCodes.append(oc)
        return len(self.m.operatorCodes) - 1


class _Refusal(Exception):
    """Why one IF or WHILE cannot be inlined."""


def _no_activation(op) -> bool:
    o = op.builtinOptions
    return o is None or getattr(o, "fusedActivationFunction", 0) == 0
