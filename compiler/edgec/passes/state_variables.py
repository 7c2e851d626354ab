"""TFLite resource variables as state: the graph input that stands for a variable's value when the run starts
becomes its state tensor (ir.Tensor.state, outside the arena, set to the initialiser's value before the first
run), and the graph output that holds its value at the end is copied into it as the run's last step, after
every node that reads the old value (frontend/tflite_variables.py made those inputs and outputs)."""

from __future__ import annotations

from ..ir import Graph, Node


def bind_state_variables(graph: Graph, variables: list) -> Graph:
    if not variables:
        return graph
    states = [graph.inputs[v.input_index] for v in variables]
    ends = [graph.outputs[v.output_index] for v in variables]
    for var, state in zip(variables, states):
        tensor = graph.tensors[state]
        tensor.state, tensor.state_init = True, var.initial.reshape(tensor.shape)
    graph.inputs = [t for t in graph.inputs if t not in states]
    drop = {v.output_index for v in variables}
    graph.outputs = [t for k, t in enumerate(graph.outputs) if k not in drop]
    for state, end in zip(states, ends):
        producer = graph.producer(end)
        # the lowering's copy of a value that is also a model output (or an input): copy its source instead
        if producer is not None and producer.op == "copy" and end not in graph.outputs and \
                len(graph.consumers(end)) == 0:
            graph.nodes.remove(producer)
            end = producer.inputs[0]
        graph.nodes.append(Node("copy", [end], [state], {}, f"{state} (variable)"))
    graph.remove_unused_tensors()
    return graph
