"""An aarch64 CPython 3.11 with LiteRT's own aarch64 wheel (XNNPACK inside), to run under qemu-aarch64 user mode
for benchmarks/neon_aarch64.py --xnnpack. Benchmark only: nothing in tests/ or .ci/ uses it.

    python benchmarks/neon/xnnpack_sysroot.py        # prints the sysroot's folder (fetched on first use)

Debian 12's arm64 packages (python3.11-minimal, its standard library, glibc, libstdc++ ...) are fetched with
`apt-get download` through a private copy of apt's package lists (the machine's apt set-up is not changed, no
foreign architecture is added) and unpacked with `dpkg -x`; the wheels (ai-edge-litert, numpy) come from `pip
download` for manylinux aarch64 / CPython 3.11 and are unzipped into <sysroot>/usr/lib/python3.11/edgec-site
(a folder that does not exist on the host, so qemu's -L lookup cannot fall back to the host's packages). All of
it goes to <edgec cache>/aarch64-python/<key>, keyed by the package list: a second call reuses it.

cpu_root() gives, per emulated core, a root whose /proc/cpuinfo and /sys/devices/system/cpu describe one Arm core
(qemu 7.2's user mode shows the host's x86 /proc/cpuinfo, on which the cpuinfo library inside XNNPACK crashes):
XNNPACK reads the core's part number from there, as on a device, and its ISA features from HWCAP, which qemu's
-cpu model sets.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DEBS = ("python3.11-minimal", "libpython3.11-minimal", "libpython3.11-stdlib", "libc6", "libgcc-s1", "libstdc++6",
        "zlib1g", "libexpat1", "libffi8", "libbz2-1.0", "liblzma5", "libcrypt1", "libuuid1")
WHEELS = ("ai-edge-litert==2.3.0", "numpy==2.4.6")
WHEEL_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_27_aarch64",
                   "manylinux_2_28_aarch64")  # Debian 12's glibc is 2.36: any of these runs
SITE = "usr/lib/python3.11/edgec-site"
PYTHON = "usr/bin/python3.11"
# /proc/cpuinfo of one core: (CPU variant, CPU part, CPU revision) as the kernel prints them
CORES = {"cortex-a53": ("0x0", "0xd03", "4"), "cortex-a55": ("0x1", "0xd05", "0")}
CPUINFO = ("processor\t: 0\nBogoMIPS\t: 38.40\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n"
           "CPU architecture: 8\nCPU variant\t: {}\nCPU part\t: {}\nCPU revision\t: {}\n\n")


class SysrootError(RuntimeError):
    pass


def cache_root() -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "compiler"))
    from edgec.board.insn_mix import cache_dir

    return cache_dir() / "aarch64-python"


def _run(cmd: list[str], what: str, cwd: Path | None = None) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SysrootError(f"{what} failed: {exc}") from None
    if proc.returncode != 0:
        raise SysrootError(f"{what} failed (exit {proc.returncode}):\n$ {' '.join(cmd)}\n"
                           f"{(proc.stderr or proc.stdout).strip()[-3000:]}")


def _fetch_debs(dst: Path, apt_state: Path) -> list[Path]:
    """The arm64 .debs, downloaded with apt-get through package lists of its own (under apt_state)."""
    for d in ("lists/partial", "cache/archives/partial"):
        (apt_state / d).mkdir(parents=True, exist_ok=True)
    (apt_state / "status").touch()
    opts = ["-o", "APT::Architecture=arm64", "-o", "APT::Architectures::=arm64",
            "-o", f"Dir::State::Lists={apt_state / 'lists'}", "-o", f"Dir::State::status={apt_state / 'status'}",
            "-o", f"Dir::Cache={apt_state / 'cache'}"]
    _run(["apt-get", *opts, "update"], "apt-get update (arm64 package lists)")
    dst.mkdir(parents=True, exist_ok=True)
    _run(["apt-get", *opts, "download", *DEBS], "apt-get download of the arm64 packages", cwd=dst)
    debs = sorted(dst.glob("*.deb"))
    if len(debs) != len(DEBS):
        raise SysrootError(f"apt-get download gave {len(debs)} .debs for {len(DEBS)} packages: {debs}")
    return debs


def _fetch_wheels(dst: Path) -> list[Path]:
    plats = [a for p in WHEEL_PLATFORMS for a in ("--platform", p)]
    _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", *plats, "--python-version",
          "3.11", "-d", str(dst), *WHEELS], "pip download of the aarch64 wheels")
    wheels = sorted(dst.glob("*.whl"))
    if len(wheels) != len(WHEELS):
        raise SysrootError(f"pip download gave {len(wheels)} wheels for {len(WHEELS)} requirements: {wheels}")
    return wheels


def sysroot() -> Path:
    """The unpacked sysroot (fetched and unpacked on the first call, reused after)."""
    key = hashlib.sha256(" ".join((*DEBS, *WHEELS)).encode()).hexdigest()[:12]
    root = cache_root() / key
    if (root / PYTHON).exists() and (root / SITE / "ai_edge_litert").is_dir():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fetch-", dir=root.parent) as tmp:
        tmp = Path(tmp)
        stage = tmp / "root"
        for deb in _fetch_debs(tmp / "debs", tmp / "apt"):
            _run(["dpkg", "-x", str(deb), str(stage)], f"dpkg -x {deb.name}")
        for wheel in _fetch_wheels(tmp / "wheels"):
            with zipfile.ZipFile(wheel) as z:
                z.extractall(stage / SITE)
        if root.exists():
            shutil.rmtree(root)
        os.replace(stage, root)  # whole or not at all: a failed fetch leaves no half sysroot
    return root


def cpu_root(root: Path, core: str) -> Path:
    """A root for qemu-aarch64 -L: the sysroot's usr/, lib/, etc/ linked, /proc/cpuinfo and the cpu count of one
    `core` (CORES) of its own."""
    dst = root.parent / f"{root.name}-{core}"
    cpuinfo = CPUINFO.format(*CORES[core])
    if (dst / "proc" / "cpuinfo").exists() and (dst / "proc" / "cpuinfo").read_text() == cpuinfo:
        return dst
    (dst / "proc").mkdir(parents=True, exist_ok=True)
    (dst / "sys" / "devices" / "system" / "cpu").mkdir(parents=True, exist_ok=True)
    for d in ("usr", "lib", "etc"):
        if not (dst / d).is_symlink():
            (dst / d).symlink_to(root / d)
    for f in ("possible", "present", "online"):
        (dst / "sys" / "devices" / "system" / "cpu" / f).write_text("0\n")
    (dst / "proc" / "cpuinfo").write_text(cpuinfo)
    return dst


def main() -> int:
    try:
        root = sysroot()
    except SysrootError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
