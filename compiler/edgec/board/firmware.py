"""Build the benchmark firmware for a board: compile the model, generate the glue and the linker script,
compile and link everything with the board's compiler, and read the ELF's section sizes."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from ..build.toolchain import WARNING_FLAGS, c_sources, require_tool
from ..config import Config, load_config, load_target
from ..errors import DoesNotFitError, ToolchainError
from ..paths import FIRMWARE_TEMPLATES
from .boards import Board
from .elf import elf_sizes, overflows
from .errors import BoardError
from .glue import glue_source, input_preserved
from .linker import linker_script

CC = "arm-none-eabi-gcc"
LINK_FLAGS = ("-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections")
NRF_BAUD = {9600: 0x00275000, 19200: 0x004EA000, 38400: 0x009D5000, 57600: 0x00EBF000, 115200: 0x01D7E000,
            230400: 0x03AFB000, 460800: 0x075F7000, 921600: 0x0EBED000, 1000000: 0x10000000}


@dataclass
class FirmwareBuild:
    board: Board
    out_dir: Path
    elf: Path
    map: Path
    sizes: dict  # text/rodata/data/bss/stack, flash_bytes, ram_bytes
    report: dict | None = None  # the model's compile report
    zero_copy_input: bool = False

    def manifest(self) -> dict:
        return {"board": self.board.name, "elf": self.elf.name, "map": self.map.name, "sizes": self.sizes,
                "model": self.report["name"] if self.report else None, "zero_copy_input": self.zero_copy_input}


def board_defines(board: Board, baud: int) -> dict[str, str]:
    """The -D values the firmware templates read (see firmware_templates/common/board.h)."""
    uart, timer = board.uart, board.timer
    d = {
        "EDGEC_BOARD_NAME": f'"{board.name}"',
        "EDGEC_TIMER_HZ": f"{int(timer['hz'])}u",
        "EDGEC_TICK_INSTRUCTIONS": f"{board.instructions_per_tick.numerator}u",
        "EDGEC_TICK_INSTRUCTIONS_DEN": f"{board.instructions_per_tick.denominator}u",
        "EDGEC_UART_BASE": f"0x{int(uart['base']):08x}u",
        "EDGEC_BAUD": f"{baud}u",
    }
    if uart["driver"] == "cmsdk":
        d["EDGEC_UART_CLOCK_HZ"] = f"{int(uart['clock_hz'])}u"
    elif uart["driver"] == "stm32":
        clock = int(uart["clock_hz"])
        brr = round(256 * clock / baud) if uart.get("kind") == "lpuart" else round(clock / baud)
        d["EDGEC_UART_BRR"] = f"{brr}u"
    elif uart["driver"] == "nrf52":
        if baud not in NRF_BAUD:
            raise BoardError(f"{board.name}: the nRF52 UART has no {baud} baud setting ({', '.join(map(str, NRF_BAUD))})")
        d.update(EDGEC_UART_TX_PIN=f"{int(uart['tx_pin'])}u", EDGEC_UART_RX_PIN=f"{int(uart['rx_pin'])}u",
                 EDGEC_UART_BAUD_REG=f"0x{NRF_BAUD[baud]:08x}u")
    return d


def template_sources(board: Board, main: Path | None = None) -> list[Path]:
    t = FIRMWARE_TEMPLATES
    sources = [t / "common" / "startup.c", t / "common" / "stack.c", main or t / "common" / "bench_main.c",
               t / "boards" / f"{board.init}.c", t / "drivers" / f"uart_{board.uart['driver']}.c",
               t / "drivers" / f"timer_{board.timer['driver']}.c"]
    missing = [s for s in sources if not s.exists()]
    if missing:
        raise BoardError(f"board {board.name}: missing firmware source(s): {', '.join(map(str, missing))}")
    return sources


def board_cflags(board: Board, config: Config) -> list[str]:
    return list(board.cflags or load_target(board.target, config).cflags)


def link_firmware(board: Board, sources: list[Path], include_dirs: list[Path], out_dir: Path,
                  config: Config | None = None, what: str = "the firmware",
                  extra_defines: dict[str, str] | None = None) -> tuple[Path, Path, dict]:
    """Compile and link `sources` with the board's linker script; returns (elf, map, section sizes)."""
    config = config or load_config()
    cc = require_tool(CC)
    out_dir.mkdir(parents=True, exist_ok=True)
    ld = out_dir / "link.ld"
    ld.write_text(linker_script(board))
    elf, mapfile = out_dir / "firmware.elf", out_dir / "firmware.map"
    baud = int(config.serial.get("baud", 115200))
    defines = [f"-D{k}={v}" for k, v in {**board_defines(board, baud), **(extra_defines or {})}.items()]
    includes = [f"-I{p}" for p in [FIRMWARE_TEMPLATES / "common", FIRMWARE_TEMPLATES / "boards", *include_dirs]]
    cmd = [cc, *board_cflags(board, config), *WARNING_FLAGS, "-g", "-ffunction-sections", "-fdata-sections",
           *defines, *includes, *map(str, sources), f"-T{ld}", *LINK_FLAGS, f"-Wl,-Map={mapfile}",
           "-o", str(elf), "-lm"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise ToolchainError(f"building {what} for {board.name} timed out") from None
    if proc.returncode != 0:
        over = overflows(proc.stderr)
        if over:
            raise DoesNotFitError(f"{what} does not fit board {board.name}:\n  " + "\n  ".join(
                overflow_message(board, region, n, secs) for region, n, secs in over))
        raise ToolchainError(f"building {what} for {board.name} failed (exit {proc.returncode}):\n"
                             f"$ {' '.join(cmd)}\n{proc.stderr.strip()[-6000:]}")
    return elf, mapfile, elf_sizes(elf)


def overflow_message(board: Board, region: str, n: int, sections: list[str]) -> str:
    r = next((r for r in board.regions if r.name == region), None)
    where = f" ({r.length:,} B at 0x{r.origin:08x})" if r else ""
    what = f"; sections that did not fit: {', '.join(sections)}" if sections else ""
    return f"region '{region}'{where} overflowed by {n:,} bytes{what}"


def build_firmware(model: Path, board: Board, out_dir: Path, name: str | None = None,
                   config: Config | None = None, import_options=None, main: Path | None = None,
                   profile_layers: bool = False, patch=None, checksum: bool = False, ecotta=None,
                   adapt: bool = False, optimize: str = "speed") -> FirmwareBuild:
    """model -> out_dir/{model/ (generated C), firmware.elf, firmware.map, link.ld, edgec_glue.c, firmware.json}.
    profile_layers: the model reads the timer after every layer, for the `layers` command (a few instructions
    per layer more in the totals). patch: passes.patch_search.PatchOptions (default: the target's). checksum:
    the model gets <name>_check() (the weights' CRC-32), which the firmware runs at start-up. ecotta:
    passes.ecotta.EcottaOptions (meta-networks and <name>_adapt); adapt: the timed call is an adaptation step.
    optimize: speed or size (fc_layouts.py)."""
    from ..pipeline import CompileOptions, compile_model

    config = config or load_config()
    out_dir = Path(out_dir)
    target = load_target(board.target, config)
    if board.cflags:
        target = replace(target, cflags=board.cflags)
    # Budgets are the board's: the linker is the judge of fit, with the real regions.
    data, code = board.region("data"), board.region("code")
    target = replace(target, sram_bytes=data.length, flash_bytes=code.length)
    opts = CompileOptions(name=name, measure_code=False, checksum=checksum, optimize=optimize)
    if import_options is not None:
        opts.import_options = import_options
    if patch is not None:
        opts.patch = patch
    if ecotta is not None:
        opts.ecotta = ecotta
    result = compile_model(model, target, out_dir / "model", opts, config, check_fit=False)
    # an adaptation step has its own plan, which may write where the inference plan keeps the input
    zero_copy = input_preserved(result.graph, result.plan) and not result.generated.adaptation
    glue = out_dir / "edgec_glue.c"
    glue.write_text(glue_source(result.report, zero_copy, adapt))
    sources = template_sources(board, main) + c_sources(out_dir / "model") + [glue]
    elf, mapfile, sizes = link_firmware(board, sources, [out_dir / "model"], out_dir, config,
                                        what=f"model '{result.report['name']}'",
                                        extra_defines={"EDGEC_PROFILE_LAYERS": "1"} if profile_layers else None)
    fw = FirmwareBuild(board, out_dir, elf, mapfile, sizes, result.report, zero_copy)
    (out_dir / "firmware.json").write_text(json.dumps(fw.manifest(), indent=2) + "\n")
    return fw
