"""Run firmware on a QEMU-emulated board, its UART on a local TCP port that pyserial opens as socket://.

QEMU runs in its own process group and is killed on every way out: the context manager's exit, an atexit
hook, and the kernel (PR_SET_PDEATHSIG) if this Python process dies first. No emulator outlives its session.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ..errors import ToolchainError
from .boards import Board
from .errors import BoardError, SerialError

QEMU = "qemu-system-arm"
_live: set[subprocess.Popen] = set()


def free_port() -> int:
    """A TCP port nothing listens on right now (QEMU binds it a moment later; start() retries a clash)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def kill(proc: subprocess.Popen) -> None:
    """SIGTERM then SIGKILL the whole process group, and reap it."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    else:
        proc.wait()
    _live.discard(proc)


@atexit.register
def _kill_all() -> None:
    for proc in list(_live):
        kill(proc)


def qemu_command(board: Board, elf: Path, port: int, extra_args: tuple[str, ...] = ()) -> list[str]:
    q = shutil.which(QEMU)
    if q is None:
        raise ToolchainError(f"'{QEMU}' not found on PATH (install it: apt-get install qemu-system-arm)")
    return [q, "-M", board.qemu["machine"], "-kernel", str(elf), "-display", "none", "-monitor", "none",
            "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on,nodelay=on",  # no Nagle: replies come byte by byte
            "-icount", "shift=0",  # one instruction = 1 ns of virtual time: deterministic counts
            "-semihosting-config", "enable=on,target=native", *board.qemu.get("args", []), *extra_args]


class QemuSession:
    """`with QemuSession(board, elf) as s: DutClient(s.url)`. start() returns once QEMU listens.
    extra_args: more QEMU options, e.g. a TCG plugin (board/insn_mix.py)."""

    def __init__(self, board: Board, elf: Path, start_timeout: float = 10.0, extra_args: tuple[str, ...] = ()):
        if not board.emulated:
            raise BoardError(f"board {board.name} is not emulated: run it with --port")
        self.board, self.elf, self.start_timeout = board, Path(elf), start_timeout
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self._log = None

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def start(self) -> "QemuSession":
        if not self.elf.exists():
            raise BoardError(f"{self.elf}: no such firmware (build it with `edgec build`)")
        for _attempt in range(3):
            self.port = free_port()
            self._log = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(qemu_command(self.board, self.elf, self.port, self.extra_args), stdin=subprocess.DEVNULL,
                                         stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)
            _live.add(self.proc)
            try:
                listening = self._wait_listening()
            except BaseException:  # Ctrl-C before the caller's `with` holds the session: clean up here
                self.stop()
                raise
            if listening:
                return self
            output = self.output()
            kill(self.proc)
            if "Address already in use" not in output:
                raise ToolchainError(f"QEMU ({self.board.qemu['machine']}) did not start:\n{output.strip()[-3000:]}")
        raise ToolchainError("QEMU could not get a free TCP port after 3 tries")

    def _wait_listening(self) -> bool:
        """Poll until *this* QEMU listens on the port (without connecting: it accepts one client). Checking
        the socket's owner matters when tests run in parallel: another QEMU may have taken the port first."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            inode = _listening_inode(self.port)
            if inode is not None and _owns_socket(self.proc.pid, inode):
                return True
            time.sleep(0.02)
        return False

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None:
            kill(self.proc)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "QemuSession":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _listening_inode(port: int) -> str | None:
    """The inode of the socket listening on 127.0.0.1:port, from /proc/net/tcp (state 0A is LISTEN)."""
    local = f"0100007F:{port:04X}"
    try:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[1] == local and parts[3] == "0A":
                    return parts[9]
    except OSError:
        raise SerialError("cannot read /proc/net/tcp to see whether QEMU is listening") from None
    return None


def _owns_socket(pid: int, inode: str) -> bool:
    target = f"socket:[{inode}]"
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                return True
        except OSError:
            continue
    return False
