"""The MCUNet architectures (Lin et al., "MCUNet: Tiny Deep Learning on IoT Devices", NeurIPS 2020), as data.

Provenance: mcunet-in0..in4 are transcribed from the net configs that MIT HAN Lab published in
github.com/mit-han-lab/mcunet, assets/configs/<config>.json (read at commit a889f95; commit c290723 removed
them from the tree, and the package now downloads the same files). Each config is a ProxylessNASNets: a 3x3
stride-2 conv with BN and ReLU6, inverted residual blocks (optional 1x1 expansion + BN + ReLU6, kxk depthwise +
BN + ReLU6, 1x1 projection + BN), no feature-mix layer, a spatial mean and a linear classifier. None of them
uses SE blocks.

mcunet-vww1 (`mcunet-5fps_vww`): its JSON is not in the repository; the block table below comes from a
third-party transcription of that JSON (kernel, expansion ratio, channels, stride; hidden = in x ratio), not
from the file itself.

Not here: mcunet-vww0 / vww2, a KWS model and the MCUNetV2 variants; no public config of theirs was found.

Per block: (depthwise kernel, hidden channels (0: no expansion conv), output channels, stride, residual).
"""

from __future__ import annotations

ARCHS = {
    "mcunet-in0": dict(config="mcunet-10fps_imagenet.json", resolution=48, stem=24, classes=1000, blocks=[
        (3, 0, 16, 1, 0), (5, 64, 16, 2, 0), (3, 48, 16, 1, 1), (3, 64, 16, 1, 1), (7, 80, 24, 2, 0),
        (5, 96, 24, 1, 1), (5, 120, 24, 1, 1), (7, 120, 48, 2, 0), (5, 192, 48, 1, 1), (3, 240, 56, 1, 0),
        (5, 224, 56, 1, 1), (3, 280, 56, 1, 1), (3, 336, 112, 2, 0), (5, 448, 112, 1, 1), (3, 672, 192, 1, 0)]),
    "mcunet-in1": dict(config="mcunet-5fps_imagenet.json", resolution=96, stem=16, classes=1000, blocks=[
        (3, 0, 8, 1, 0), (3, 32, 16, 2, 0), (3, 48, 16, 1, 1), (7, 48, 24, 2, 0), (3, 120, 24, 1, 1),
        (3, 120, 40, 2, 0), (7, 160, 40, 1, 1), (5, 160, 48, 1, 0), (3, 144, 48, 1, 1), (3, 192, 48, 1, 1),
        (7, 240, 96, 2, 0), (5, 384, 96, 1, 1), (5, 384, 96, 1, 1), (3, 576, 160, 1, 0)]),
    "mcunet-in2": dict(config="mcunet-256kb-1mb_imagenet.json", resolution=160, stem=16, classes=1000, blocks=[
        (3, 0, 8, 1, 0), (5, 24, 16, 2, 0), (7, 96, 16, 1, 1), (3, 80, 16, 1, 1), (5, 80, 16, 1, 1),
        (3, 80, 24, 2, 0), (7, 144, 24, 1, 1), (5, 144, 24, 1, 1), (7, 96, 40, 2, 0), (5, 200, 40, 1, 1),
        (3, 200, 48, 1, 0), (5, 240, 48, 1, 1), (3, 192, 48, 1, 1), (5, 288, 96, 2, 0), (5, 384, 96, 1, 1),
        (5, 288, 96, 1, 1), (3, 384, 96, 1, 1), (5, 480, 160, 1, 0)]),
    "mcunet-in3": dict(config="mcunet-320kb-1mb_imagenet.json", resolution=176, stem=16, classes=1000, blocks=[
        (3, 0, 8, 1, 0), (7, 24, 16, 2, 0), (3, 80, 16, 1, 1), (7, 80, 16, 1, 1), (5, 64, 16, 1, 1),
        (5, 80, 24, 2, 0), (5, 120, 24, 1, 1), (5, 120, 24, 1, 1), (3, 120, 40, 2, 0), (7, 240, 40, 1, 1),
        (5, 160, 40, 1, 1), (5, 200, 48, 1, 0), (7, 240, 48, 1, 1), (3, 240, 48, 1, 1), (3, 288, 96, 2, 0),
        (7, 480, 96, 1, 1), (3, 384, 96, 1, 1), (7, 480, 160, 1, 0)]),
    "mcunet-in4": dict(config="mcunet-512kb-2mb_imagenet.json", resolution=160, stem=32, classes=1000, blocks=[
        (3, 0, 16, 1, 0), (7, 48, 24, 2, 0), (3, 120, 24, 1, 1), (5, 96, 24, 1, 1), (7, 120, 40, 2, 0),
        (3, 160, 40, 1, 1), (7, 160, 40, 1, 1), (7, 120, 80, 2, 0), (3, 240, 80, 1, 1), (7, 240, 80, 1, 1),
        (3, 320, 96, 1, 0), (5, 288, 96, 1, 1), (5, 288, 96, 1, 1), (7, 384, 192, 2, 0), (7, 576, 192, 1, 1),
        (5, 576, 192, 1, 1), (5, 768, 320, 1, 0)]),
    "mcunet-vww1": dict(config="mcunet-5fps_vww.json (third-party transcription)", resolution=80, stem=16, classes=2,
                        blocks=[
        (3, 0, 8, 1, 0), (3, 48, 16, 2, 0), (3, 48, 16, 1, 1), (3, 48, 16, 1, 1), (7, 48, 24, 2, 0),
        (3, 144, 24, 1, 1), (5, 120, 24, 1, 1), (7, 144, 40, 2, 0), (7, 240, 40, 1, 1), (3, 240, 48, 1, 0),
        (3, 192, 48, 1, 1), (5, 240, 96, 2, 0), (3, 480, 96, 1, 1), (3, 384, 96, 1, 1), (7, 288, 160, 1, 0)]),
}

