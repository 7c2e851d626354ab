"""The TFLite Micro baseline's sources, pinned: tflite-micro at one commit and the third-party libraries at the
commits that commit's own Makefile downloads (tensorflow/lite/micro/tools/make/third_party_downloads.inc and
ext_libs/cmsis_nn_download.sh). kissfft, pigweed and CMSIS (Core) are left out: only the signal library, the tests
and the cortex_m_generic target's start-up use them, and the baseline has its own (edgec's firmware templates)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pin:
    name: str
    url: str
    commit: str
    why: str


PINS = {p.name: p for p in (
    Pin("tflite-micro", "https://github.com/tensorflow/tflite-micro", "90b983c2b3f1480642e040bbd2ddb37b998f3424",
        "2026-08-20"),
    Pin("cmsis-nn", "https://github.com/ARM-software/CMSIS-NN", "4ab83cc3cc98fb85ed6dafb55e8ca02f1628dcae",
        "tflite-micro's ext_libs/cmsis_nn_download.sh"),
    Pin("flatbuffers", "https://github.com/google/flatbuffers", "187240970746d00bbd26b0f5873ed54d2477f9f3",
        "v25.9.23, tflite-micro's third_party_downloads.inc"),
    Pin("gemmlowp", "https://github.com/google/gemmlowp", "719139ce755a0f31cbf1c37f7f98adcc7fc9f425",
        "tflite-micro's third_party_downloads.inc"),
    Pin("ruy", "https://github.com/google/ruy", "d37128311b445e758136b8602d1bbd2a755e115d",
        "tflite-micro's third_party_downloads.inc"),
)}


class SourceError(Exception):
    pass


def _git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise SourceError(f"git {' '.join(args)} failed:\n{proc.stderr.strip()[-2000:]}")
    return proc.stdout.strip()


def clone(pin: Pin, root: Path) -> Path:
    """<root>/<name>-<commit[:12]>, fetched once: only the pinned commit (GitHub serves a commit by its hash),
    or a full clone when the server refuses that."""
    dest = root / f"{pin.name}-{pin.commit[:12]}"
    if (dest / ".pinned").exists():
        return dest
    tmp = root / f".{dest.name}.partial"
    subprocess.run(["rm", "-rf", str(tmp)], check=True)
    tmp.mkdir(parents=True)
    _git("init", "-q", cwd=tmp)
    try:
        _git("fetch", "-q", "--depth", "1", pin.url, pin.commit, cwd=tmp)
    except SourceError:
        _git("fetch", "-q", pin.url, cwd=tmp)
    _git("-c", "advice.detachedHead=false", "checkout", "-q", pin.commit, cwd=tmp)
    (tmp / ".pinned").write_text(pin.commit + "\n")
    tmp.rename(dest)
    return dest


def check_local(pin: Pin, path: Path) -> str:
    """A local copy given with --src: a git checkout must be at the pinned commit; a plain tree (git archive, an
    unpacked zip) cannot say, and is reported as such."""
    if not path.is_dir():
        raise SourceError(f"--src {pin.name}={path}: no such directory")
    if (path / ".git").exists():
        head = _git("rev-parse", "HEAD", cwd=path)
        if head != pin.commit:
            raise SourceError(f"--src {pin.name}={path} is at {head}, the baseline is pinned to {pin.commit}")
        return "git checkout at the pinned commit"
    return "local tree (not a git checkout: its commit is taken on trust)"


def resolve(local: dict[str, Path], root: Path) -> dict[str, tuple[Path, str]]:
    """name -> (source directory, how it was obtained), every pinned library."""
    unknown = set(local) - set(PINS)
    if unknown:
        raise SourceError(f"--src: unknown name(s) {sorted(unknown)} (known: {', '.join(PINS)})")
    out = {}
    for name, pin in PINS.items():
        if name in local:
            out[name] = (Path(local[name]).resolve(), check_local(pin, Path(local[name])))
        else:
            out[name] = (clone(pin, root), f"cloned from {pin.url}")
    return out
