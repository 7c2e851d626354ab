"""Where the non-Python parts of edgec live (kernels, target descriptions, firmware templates)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNTIMES = REPO_ROOT / "runtimes"
TARGETS = REPO_ROOT / "targets"
FIRMWARE_TEMPLATES = REPO_ROOT / "firmware_templates"
DEFAULT_TOOLCHAIN_TOML = REPO_ROOT / "toolchain.toml"
