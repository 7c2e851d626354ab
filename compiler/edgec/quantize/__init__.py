"""Post-training quantization of float models (see ptq.py)."""
