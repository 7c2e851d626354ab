"""Host side of the benchmark serial protocol (docs/PROTOCOL.md), over pyserial: a QEMU TCP socket
(socket://127.0.0.1:PORT) or a real board's /dev/ttyACM0 go through the same code."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import serial

from .errors import FirmwareFaultError, SerialError

READY = "m-ready"
DB_CHUNK = 31  # bytes per `db` command, as the MLPerf Tiny runner sends (62 hex digits + "db " < 80 chars)
PRINTABLE = re.compile(r"^[\x20-\x7e]*$")
GARBAGE = re.compile(rb"[^\x20-\x7e\r\n]")


@dataclass
class InferReply:
    lines: list[str]
    results: list[float]
    lap_us: tuple[int, int]
    iterations: int
    instructions: int | None = None  # emulated boards: guest instructions for all iterations
    cycles: int | None = None  # real boards: DWT cycles for all iterations
    stack_high_water: int | None = None
    errors: list[str] = field(default_factory=list)


def parse_results(line: str) -> list[float]:
    body = line[len("m-results-["):-1]
    try:
        return [float(v) for v in body.split(",")] if body else []
    except ValueError:
        raise SerialError(f"malformed results line: {line[:200]!r}") from None


class DutClient:
    """One device under test. Every wait has a deadline; every failure is a SerialError naming what was
    expected and what arrived instead."""

    def __init__(self, url: str, baud: int = 115200, timeout: float = 20.0, connect_timeout: float | None = None):
        self.url, self.timeout = url, timeout
        try:
            self.port = serial.serial_for_url(url, baudrate=baud, timeout=0.1, write_timeout=timeout,
                                              do_not_open=True)
            # open() flushes whatever has arrived; QEMU starts the guest the moment we connect, so its boot
            # banner could be flushed with it. Keep it (bench flushes a real board's stale bytes itself).
            self.port.reset_input_buffer = lambda: None
            try:
                self.port.open()
            finally:
                del self.port.reset_input_buffer
        except (serial.SerialException, OSError, ValueError) as exc:
            raise SerialError(f"cannot open serial port {url}: {exc}") from None
        self._buf = b""
        self.log: list[str] = []  # every line received, for error messages

    def close(self) -> None:
        try:
            self.port.close()
        except Exception:  # closing a dropped link must never mask the real error
            pass

    def __enter__(self) -> "DutClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- lines ----

    def _read_chunk(self) -> bytes:
        """Whatever has arrived, waiting at most 0.1 s for the first byte (read(n) alone would wait for n)."""
        first = self.port.read(1)
        if not first:
            return b""
        self.port.timeout = 0
        try:
            return first + self.port.read(65536)
        finally:
            self.port.timeout = 0.1

    def _read_line(self, deadline: float, waiting_for: str) -> str:
        while b"\n" not in self._buf:
            if time.monotonic() > deadline:
                last = f" (last line: {self.log[-1]!r})" if self.log else " (nothing received)"
                raise SerialError(f"time-out: no {waiting_for} from {self.url} within {self.timeout:g} s{last}")
            try:
                chunk = self._read_chunk()
            except (serial.SerialException, OSError) as exc:
                raise SerialError(f"connection to {self.url} lost while waiting for {waiting_for}: {exc}") from None
            self._buf += chunk
            if GARBAGE.search(chunk):
                raise SerialError(f"garbage on the serial line from {self.url}: {chunk[:80]!r}")
            if len(self._buf) > 65536 and b"\n" not in self._buf:
                raise SerialError(f"garbage on the serial line from {self.url}: {self._buf[:80]!r}...")
        raw, self._buf = self._buf.split(b"\n", 1)
        try:
            line = raw.decode("ascii").rstrip("\r")
        except UnicodeDecodeError:
            raise SerialError(f"garbage on the serial line from {self.url}: {raw[:80]!r}") from None
        if not PRINTABLE.match(line):
            raise SerialError(f"garbage on the serial line from {self.url}: {raw[:80]!r}")
        self.log.append(line)
        if "HardFault" in line and line.startswith("e-"):
            raise FirmwareFaultError(f"the firmware crashed: {line}")
        return line

    def read_until_ready(self, waiting_for: str, timeout: float | None = None) -> list[str]:
        """Lines up to (not including) the next m-ready."""
        deadline = time.monotonic() + (timeout or self.timeout)
        lines = []
        while True:
            line = self._read_line(deadline, waiting_for)
            if line == READY:
                return lines
            if line:
                lines.append(line)

    def wait_boot(self, timeout: float | None = None) -> list[str]:
        lines = self.read_until_ready("boot banner (m-init-done, m-ready)", timeout)
        if "m-init-done" not in lines:
            raise SerialError(f"unexpected boot banner from {self.url}: {lines[:6]}")
        return lines

    def _send(self, cmd: str) -> None:
        try:
            self.port.write(cmd.encode("ascii") + b"%")
            self.port.flush()
        except (serial.SerialException, OSError) as exc:
            raise SerialError(f"connection to {self.url} lost while sending '{cmd}': {exc}") from None

    def command(self, cmd: str, timeout: float | None = None) -> list[str]:
        """Send `cmd%` and return the reply lines before m-ready."""
        self._send(cmd)
        return self.read_until_ready(f"reply to '{cmd}'", timeout)

    # ---- commands ----

    def name(self) -> str:
        return _field(self.command("name"), "m-name-dut-[")

    def profile(self) -> dict:
        lines = self.command("profile")
        info = {"firmware": _field(lines, "m-profile-["), "model": _field(lines, "m-model-[")}
        for line in lines:
            for key in ("arena-bytes", "stack-size"):
                if line.startswith(f"m-{key}-"):
                    info[key.replace("-", "_")] = int(line[len(key) + 3:])
        return info

    def load(self, data: bytes, window: int = 1) -> None:
        """`db load N`, then `db <hex>` of 31 bytes each. With window > 1, that many commands are in flight
        at once: only for lossless links (QEMU's UART back-pressures the socket); a real UART without flow
        control would drop bytes while the firmware prints its replies."""
        reply = self.command(f"db load {len(data)}")
        if reply != [f"m-[Expecting {len(data)} bytes]"]:
            raise SerialError(f"'db load {len(data)}' refused: {reply}")
        chunks = [data[i:i + DB_CHUNK] for i in range(0, len(data), DB_CHUNK)]
        sent = 0
        for i in range(len(chunks)):
            while sent < min(len(chunks), i + max(1, window)):
                self._send("db " + chunks[sent].hex())
                sent += 1
            reply = self.read_until_ready(f"reply to 'db' ({i * DB_CHUNK} of {len(data)} bytes loaded)")
            if reply != (["m-load-done"] if i == len(chunks) - 1 else []):
                raise SerialError(f"unexpected reply while loading bytes {i * DB_CHUNK}..: {reply}")

    def infer(self, n: int = 1, warmup: int = 0, timeout: float | None = None) -> InferReply:
        lines = self.command(f"infer {n} {warmup}", timeout)
        errors = [l for l in lines if l.startswith("e-")]
        laps = [int(l[len("m-lap-us-"):]) for l in lines if l.startswith("m-lap-us-")]
        res = [l for l in lines if l.startswith("m-results-[")]
        if errors and not res:
            raise SerialError(f"'infer {n} {warmup}' failed: {'; '.join(errors)}")
        if len(laps) != 2 or len(res) != 1 or "m-infer-done" not in lines:
            raise SerialError(f"malformed reply to 'infer {n} {warmup}': {lines[:12]}")
        reply = InferReply(lines, parse_results(res[0]), (laps[0], laps[1]), n, errors=errors)
        for line in lines:
            if line.startswith("m-instructions-"):
                reply.instructions = int(line[len("m-instructions-"):])
            elif line.startswith("m-cycles-"):
                reply.cycles = int(line[len("m-cycles-"):])
            elif line.startswith("m-stack-high-water-"):
                reply.stack_high_water = int(line[len("m-stack-high-water-"):])
        return reply

    def layers(self) -> list[int]:
        """`layers` (an edgec extension): instructions (emulated) or cycles per layer, summed over the timed
        runs of the last `infer`, from firmware built with the per-layer profile."""
        lines = self.command("layers")
        errors = [l for l in lines if l.startswith("e-")]
        if errors:
            raise SerialError(f"'layers' failed: {'; '.join(errors)}")
        count = int(_prefixed(lines, "m-layers-"))
        counts = {}
        for line in lines:
            m = re.fullmatch(r"m-layer-(\d+)-(?:instructions|cycles)-(\d+)", line)
            if m:
                counts[int(m.group(1))] = int(m.group(2))
        if sorted(counts) != list(range(count)):
            raise SerialError(f"malformed reply to 'layers': {count} layers announced, got {sorted(counts)[:12]}")
        return [counts[i] for i in range(count)]


def _prefixed(lines: list[str], prefix: str) -> str:
    for line in lines:
        if line.startswith(prefix):
            return line[len(prefix):]
    raise SerialError(f"expected a '{prefix}...' line, got {lines[:6]}")


def _field(lines: list[str], prefix: str) -> str:
    for line in lines:
        if line.startswith(prefix) and line.endswith("]"):
            return line[len(prefix):-1]
    raise SerialError(f"expected a '{prefix}...]' line, got {lines[:6]}")
