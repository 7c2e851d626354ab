"""Targets and configuration: targets/<name>.toml, overridden by toolchain.toml, overridden by the CLI."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import EdgecError
from .paths import DEFAULT_TOOLCHAIN_TOML, TARGETS


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    cc: str
    cflags: tuple[str, ...]
    kernels: tuple[str, ...]  # runtime kernel sets, most specific first
    sram_bytes: int
    flash_bytes: int
    # Linux user-space targets other than the host: the QEMU user-mode emulator that runs their executables
    # (`edgec verify`) and the folder holding their C library (its -L). Empty for the host and bare-metal boards.
    emulator: str = ""
    sysroot: str = ""
    # "c": freestanding C with the kernels of runtimes/<kernels>; "opencl": OpenCL C device kernels with a plain-C
    # host (codegen/opencl_host.py); "vulkan": SPIR-V compute shaders with a plain-C host (codegen/vulkan_host.py);
    # for both, sram_bytes is the device memory for the arena, flash_bytes for weights.
    backend: str = "c"
    # --patch when it is not given: "auto" on microcontrollers, where SRAM is what runs out (the search falls back
    # to layer by layer when patching does not pay); "off" where the arena is not the constraint.
    patch: str = "off"


BACKENDS = ("c", "opencl", "vulkan")


@dataclass
class Config:
    default_target: str = "cortex-m7"
    target_overrides: dict[str, dict] = field(default_factory=dict)
    passes: dict = field(default_factory=dict)
    verify: dict = field(default_factory=dict)
    serial: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise EdgecError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise EdgecError(f"{path}: invalid TOML: {exc}") from None


def load_config(path: Path | None = None) -> Config:
    data = read_toml(path or DEFAULT_TOOLCHAIN_TOML)
    return Config(
        default_target=data.get("default_target", "cortex-m7"),
        target_overrides=data.get("targets", {}),
        passes=data.get("passes", {}),
        verify=data.get("verify", {}),
        serial=data.get("serial", {}),
        raw=data,
    )


def target_names() -> list[str]:
    return sorted(p.stem for p in TARGETS.glob("*.toml"))


def load_target(name: str, config: Config | None = None, **overrides) -> Target:
    path = TARGETS / f"{name}.toml"
    if not path.exists():
        raise EdgecError(f"unknown target '{name}' (known: {', '.join(target_names())})")
    t = read_toml(path)["target"]
    target = Target(
        name=t["name"],
        description=t.get("description", ""),
        cc=t["cc"],
        cflags=tuple(t.get("cflags", [])),
        kernels=tuple(t.get("kernels", ["reference"])),
        sram_bytes=int(t["sram_bytes"]),
        flash_bytes=int(t["flash_bytes"]),
        emulator=t.get("emulator", ""),
        sysroot=t.get("sysroot", ""),
        backend=t.get("backend", "c"),
        patch=t.get("patch", "off"),
    )
    if target.backend not in BACKENDS:
        raise EdgecError(f"{path}: backend '{target.backend}' (known: {', '.join(BACKENDS)})")
    merged = dict((config.target_overrides.get(name, {}) if config else {}))
    merged.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(merged) - set(Target.__dataclass_fields__)
    if unknown:
        raise EdgecError(f"unknown setting(s) for target {name}: {', '.join(sorted(unknown))}")
    for key in ("cflags", "kernels"):
        if key in merged:
            merged[key] = tuple(merged[key])
    target = replace(target, **merged)
    if target.patch not in ("off", "auto"):
        raise EdgecError(f"target {name}: patch '{target.patch}' (expected off or auto)")
    return target
