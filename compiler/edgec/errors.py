"""User-facing errors. The CLI prints their message and exits non-zero; it never shows a traceback for them."""


class EdgecError(Exception):
    """A problem the user can act on: bad input, an unsupported model, a missing tool."""

    exit_code = 1


class ModelLoadError(EdgecError):
    """The file is missing, truncated, or not a model edgec can read."""


class UnsupportedModelError(EdgecError):
    """The model uses operators or features edgec cannot compile."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        # problems: (node name, op type, reason)
        self.problems = problems
        lines = [f"  - node '{name}' ({op}): {reason}" for name, op, reason in problems]
        super().__init__(
            f"the model cannot be compiled: {len(problems)} unsupported node(s):\n" + "\n".join(lines)
        )


class DoesNotFitError(EdgecError):
    """The compiled model needs more memory than the target has."""

    exit_code = 3


class ToolchainError(EdgecError):
    """A compiler, emulator or other external tool is missing or failed."""


class VerificationError(EdgecError):
    """Generated code disagrees with the reference executor."""

    exit_code = 4


class ReferenceUnavailableError(EdgecError):
    """The reference executor (onnxruntime, LiteRT, TFLite Micro) cannot run the model, so edgec's result could
    not be checked. edgec's own build and run succeeded: the message says so."""

    exit_code = 6
