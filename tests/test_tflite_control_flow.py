"""TFLite IF and WHILE, float and int8, inlined into one straight graph (frontend/tflite_control_flow.py).

One model per type, written into a flatbuffer (tests/tflite_builder.py): an IF whose condition comes from an input
(a comparison), with a different computation per branch, then a WHILE over a sequence input (a counter and its
limit, the body reading the sequence's row at the counter and accumulating, as TensorFlow's converter writes an
RNN over time). Checked on inputs that take both branches against LiteRT's builtin kernels (float) and TFLite
Micro (int8)."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as S
from conftest import run_edgec
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.pipeline import CompileOptions, compile_model
from test_tflite_variables import options, reference_runs
from tflite_builder import TFLiteBuilder

RUNS = 6


class ControlFlow:
    def __init__(self, int8: bool, seed: int, data_dependent_loop: bool = False):
        self.int8 = int8
        b = self.b = TFLiteBuilder(seed)
        self.steps, self.channels = int(b.rng.integers(2, 6)), int(b.rng.integers(2, 7))
        self.q = (0.05, 2)
        frame = [1, self.channels]
        x, gate, seq = self.act(frame), self.act([1]), self.act([self.steps, self.channels])
        cond = b.tensor([1], "bool")
        b.op("GREATER", [gate, self.const_act([1], 0.0)], [cond])
        then_index, else_index = b.subgraph(self.then_branch), b.subgraph(self.else_branch)
        chosen = self.act(frame)
        b.op("IF", [cond, x], [chosen], options(S.IfOptionsT, thenSubgraphIndex=then_index,
                                                 elseSubgraphIndex=else_index))
        # the counter starts at 0, or (data_dependent_loop) where an input says: no count at compile time then
        counter = b.tensor([], "int32", data=None if data_dependent_loop else np.array(0, np.int32))
        cond_index, body_index = b.subgraph(self.loop_condition), b.subgraph(self.loop_body)
        outs = [b.tensor([], "int32"), self.act(frame), self.act([self.steps, self.channels])]
        b.op("WHILE", [counter, chosen, seq], outs, options(S.WhileOptionsT, condSubgraphIndex=cond_index,
                                                           bodySubgraphIndex=body_index))
        self.inputs = [x, gate, seq] + ([counter] if data_dependent_loop else [])
        self.outputs = [chosen, outs[1]]

    def act(self, shape) -> int:
        return self.b.tensor(shape, "int8", *self.q) if self.int8 else self.b.tensor(shape, "float32")

    def const_act(self, shape, value: float) -> int:
        if self.int8:
            q = np.full(shape, np.round(value / self.q[0]) + self.q[1], np.int8)
            return self.b.tensor(shape, "int8", *self.q, data=q)
        return self.b.tensor(shape, "float32", data=np.full(shape, value, np.float32))

    def then_branch(self, b):
        x, y, z = self.act([1, self.channels]), self.act([1, self.channels]), self.act([1, self.channels])
        b.op("ADD", [x, self.const_act([1, self.channels], 0.5)], [y], S.AddOptionsT())
        b.op("MUL", [y, y], [z], S.MulOptionsT())
        return [x], [z]

    def else_branch(self, b):
        x, y = self.act([1, self.channels]), self.act([1, self.channels])
        b.op("SUB", [x, self.const_act([1, self.channels], 0.25)], [y], S.SubOptionsT())
        return [x], [y]

    def loop_condition(self, b):
        i, acc, seq, done = b.tensor([], "int32"), self.act([1, self.channels]), self.act([self.steps, self.channels]), \
            b.tensor([], "bool")
        b.op("LESS", [i, b.tensor([], "int32", data=np.array(self.steps, np.int32))], [done])
        return [i, acc, seq], [done]

    def loop_body(self, b):
        i, acc, seq = b.tensor([], "int32"), self.act([1, self.channels]), self.act([self.steps, self.channels])
        row, new_acc, next_i = self.act([1, self.channels]), self.act([1, self.channels]), b.tensor([], "int32")
        index = b.tensor([1], "int32")
        b.op("RESHAPE", [i, b.tensor([1], "int32", data=np.array([1], np.int32))], [index])
        b.op("GATHER", [seq, index], [row], options(S.GatherOptionsT, axis=0))
        b.op("ADD", [acc, row], [new_acc], S.AddOptionsT())
        b.op("ADD", [i, b.tensor([], "int32", data=np.array(1, np.int32))], [next_i], S.AddOptionsT())
        return [i, acc, seq], [next_i, new_acc, seq]

    def batches(self, seed: int) -> list:
        rng = np.random.default_rng(seed)
        out = []
        for k in range(RUNS):
            gate = np.array([(1.0 if k % 2 else -1.0)], np.float32)  # both branches
            shapes = [(1, self.channels), (self.steps, self.channels)]
            if self.int8:
                x, seq = (rng.integers(-60, 60, s).astype(np.int8) for s in shapes)
                out.append([x, (gate / self.q[0] + self.q[1]).astype(np.int8), seq])
            else:
                x, seq = (rng.normal(0, 1, s).astype(np.float32) for s in shapes)
                out.append([x, gate, seq])
        return out

@pytest.mark.parametrize("int8", [False, True], ids=["float", "int8"])
def test_if_and_while_match_the_reference(int8, tmp_path):
    m = ControlFlow(int8, seed=11 + int8)
    path = tmp_path / "control_flow.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    batches = m.batches(seed=4)
    want = reference_runs(path, batches, int8, len(m.outputs))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    for k in range(RUNS):
        for j, (g, w) in enumerate(zip(got[k], want[k])):
            if int8:
                np.testing.assert_array_equal(g, w.reshape(g.shape), err_msg=f"run {k}, output {j}")
            else:
                np.testing.assert_allclose(g, w.reshape(g.shape), rtol=1e-6, atol=1e-6, err_msg=f"run {k}, output {j}")
    assert not np.allclose(want[0][0], want[1][0]) and not np.allclose(want[0][1], want[0][0])


def test_a_loop_whose_count_depends_on_the_input_is_refused_naming_it(tmp_path):
    m = ControlFlow(False, seed=2, data_dependent_loop=True)
    path = tmp_path / "data_dependent.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    name = m.b.tensors[m.outputs[1] - 1].name.decode()  # the WHILE's first output, named in the refusal
    assert f"'{name}' (WHILE): the number of iterations depends on the input" in proc.stderr, proc.stderr
