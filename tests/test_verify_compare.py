"""edgec verify's comparison (verify.compare): floats |got - want| <= atol * max(1, max |want|) + rtol * |want|, integers
within atol."""

from __future__ import annotations

import numpy as np
from edgec.verify import compare


def test_an_output_near_zero_is_judged_at_the_tensors_scale():
    # An autoencoder's reconstruction: values up to 40, one near 0 where engines' float32 sums differ by ~2e-5
    want = np.array([40.0, -12.5, 0.2, 3.0], np.float32)
    got = want + np.array([0.0, 0.0, 3.8e-5, 0.0], np.float32)
    assert compare("y", got, want, rtol=1e-4, atol=1e-5).ok
    got[2] = want[2] + 5e-4  # beyond 1e-5 * 40 + 1e-4 * 0.2
    assert not compare("y", got, want, rtol=1e-4, atol=1e-5).ok


def test_small_tensors_keep_the_plain_tolerance():
    want = np.array([0.5, 0.25, 0.01], np.float32)
    assert compare("p", want + np.float32(9e-6), want, rtol=1e-4, atol=1e-5).ok
    assert not compare("p", want + np.float32(2e-5), want, rtol=1e-4, atol=1e-5).ok


def test_nan_and_inf_compare_as_themselves():
    want = np.array([np.nan, np.inf, 1.0], np.float32)
    assert compare("s", want.copy(), want, rtol=1e-4, atol=1e-5).ok
    assert not compare("s", np.array([0.0, np.inf, 1.0], np.float32), want, rtol=1e-4, atol=1e-5).ok


def test_an_overflow_litert_clamps_to_flt_max_is_the_same_overflow():
    """Seed 72: a float TFLite autoencoder with two weight bytes changed overflows in its last FC; LiteRT clamps
    the fused activation (NONE too) to +-FLT_MAX where edgec's C gives inf."""
    big = np.finfo(np.float32).max
    want = np.array([big, -big, 1.0], np.float32)
    assert compare("o", np.array([np.inf, -np.inf, 1.0], np.float32), want, rtol=1e-4, atol=1e-5).ok
    assert not compare("o", np.array([-np.inf, -np.inf, 1.0], np.float32), want, rtol=1e-4, atol=1e-5).ok
    assert not compare("o", np.array([np.inf, -np.inf, 1.0], np.float32), np.array([1e30, -big, 1.0], np.float32),
                       rtol=1e-4, atol=1e-5).ok


def test_64_bit_integers_differing_by_any_amount_differ():
    """uint64 / int64 outputs (the integer kernels'): a difference that wraps in int64 is still a difference."""
    want = np.array([0, 2**63, 2**64 - 1], np.uint64)
    assert compare("u", want.copy(), want, rtol=1e-4, atol=1e-5).ok
    assert not compare("u", np.array([2**63, 2**63, 2**64 - 1], np.uint64), want, rtol=1e-4, atol=1e-5).ok
    assert not compare("u", np.array([0, 2**63, 2**63 - 2], np.uint64), want, rtol=1e-4, atol=1e-5).ok
