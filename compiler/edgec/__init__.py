"""edgec: compile trained models to freestanding C for microcontrollers and edge processors."""

__version__ = "0.1.0"
