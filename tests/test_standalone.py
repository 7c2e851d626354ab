"""The repository stands alone: a user's clone has nothing beside it, so nothing in it may read a folder beside the
repository (such as a `shared/` folder) or an absolute path of some build machine. `.ci/run` proves the whole of it
by running the README's two commands in a copy in an empty temporary folder; these tests catch the mistake early
and name the file."""

from __future__ import annotations

import hashlib
import re
import subprocess

from conftest import MLPERF, REPO, require

# A path outside the repository: a sibling `shared/` folder, or absolute paths of the machines edgec is built on.
OUTSIDE = re.compile(r"\.\./shared\b|[\"']shared[\"']|(?<![\w.])/(?:work|home|root|tmp/edgec)/[\w.-]+/")


def tracked_text_files() -> list[str]:
    git = require("git")
    files = subprocess.run([git, "-C", str(REPO), "ls-files", "-z"], capture_output=True, text=True, check=True)
    return [f for f in files.stdout.split("\0")
            if f and not f.endswith((".tflite", ".onnx", ".npy", ".png")) and (REPO / f).is_file()]


def test_no_file_reads_outside_the_repository():
    offenders = []
    for rel in tracked_text_files():
        if rel == "tests/test_standalone.py":
            continue
        for lineno, line in enumerate((REPO / rel).read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{rel}:{lineno}: {line.strip()}")
    assert not offenders, "paths outside the repository:\n" + "\n".join(offenders)


def test_the_pattern_catches_what_it_is_for():
    assert OUTSIDE.search('MODELS = Path("/work/shared/models/mlperf_tiny")')
    assert OUTSIDE.search("see ../shared/DESIGN.md")
    assert OUTSIDE.search('d = base / "shared" / "models" / "mlperf_tiny"')
    assert not OUTSIDE.search("model_zoo/mlperf_tiny/vww_96_int8.tflite")


def test_mlperf_tiny_models_are_the_published_files():
    """model_zoo/mlperf_tiny/README.md lists the SHA-256 of every model; the files must be those, unchanged."""
    listed = dict(reversed(line.split()) for line in (MLPERF / "README.md").read_text().splitlines()
                  if re.fullmatch(r"[0-9a-f]{64}  \S+\.tflite", line))
    shipped = sorted(p.name for p in MLPERF.glob("*.tflite"))
    assert sorted(listed) == shipped and len(shipped) == 8
    for name in shipped:
        assert hashlib.sha256((MLPERF / name).read_bytes()).hexdigest() == listed[name], name
    assert "Apache License" in (MLPERF / "LICENSE.md").read_text()
