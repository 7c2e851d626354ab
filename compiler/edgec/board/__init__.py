"""Boards: firmware build, QEMU runner, the benchmark serial protocol client, flashing and benchmarking."""
