"""Errors of the board layer. All are EdgecErrors: the CLI prints them and exits non-zero, no traceback."""

from ..errors import EdgecError


class BoardError(EdgecError):
    """An unknown board or a board description that does not make sense."""


class SerialError(EdgecError):
    """The device did not answer as the protocol says: time-out, dropped link, garbage, wrong port."""

    exit_code = 5


class FirmwareFaultError(SerialError):
    """The firmware hit a HardFault and reported it over the UART."""


class OutputMismatchError(EdgecError):
    """Outputs read back from the device differ from the reference executor."""

    exit_code = 4
