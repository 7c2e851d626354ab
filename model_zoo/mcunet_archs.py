"""The MCUNet architectures (Lin et al., "MCUNet: Tiny Deep Learning on IoT Devices", NeurIPS 2020, and
"MCUNetV2: Memory-Efficient Patch-based Inference for Tiny Deep Learning", NeurIPS 2021), as data.

Provenance (no file of theirs is in this repository; only the numbers below are):
- mcunet-in0..in4: the net configs MIT HAN Lab published in github.com/mit-han-lab/mcunet,
  assets/configs/<config>.json (read at commit a889f95; commit c290723 removed them from the tree, and the
  package now downloads the same files). Each is a ProxylessNASNets: a 3x3 stride-2 conv with BN and ReLU6,
  inverted residual blocks (optional 1x1 expansion + BN + ReLU6, kxk depthwise + BN + ReLU6, 1x1 projection +
  BN), no feature-mix layer, a spatial mean and a linear classifier. None of them uses SE blocks.
- mcunet-vww1 (`mcunet-5fps_vww`): the official int8 TFLite file, which github.com/mit-han-lab/tinyengine
  commits as assets/vww.tflite (commit 47bb283ce9d7e33c6fea623b3792726046dc9cfa; its examples/vww.py downloads
  the same net id), read operator by operator (weight shapes, strides, the ADDs). The table first came from a
  third-party transcription; the file agrees with it block for block.
- mcunet-vww0 (`mcunet-10fps_vww`) and mcunet-vww2 (`mcunet-320kb-1mb_vww`): their JSON and TFLite are only on
  HAN Lab's download server. Read from the Wake Vision authors' Keras transcriptions of the three VWW models,
  github.com/harvard-edge/Wake_Vision, experiments/comprehensive_model_architecture_experiments/
  visual_wake_words/mcunet-{10fps,320kb-1mb}_vww.py, and from the int8 TFLite files trained from them in the same
  repository, model_zoo/wv_quality_mcunet-{10fps,320kb-1mb}_vww.tflite (commit
  bab1ce4a8ef20a7ef90858279b1a2a0796125946). Checks: that repository's 5fps transcription equals the official
  vww1 file above block for block; vww0 also equals, layer for layer, TinyEngine's code generated from the
  official mcunet-10fps_vww.tflite (github.com/EnochRichy/TinyEngine, PersonPresence/My_MCC_Config/src/
  TinyEngine/codegen/Source/genModel.c, commit ee0874c94afc9963c32452f91382d22bcd4b76c0); MACs and parameters
  match the MCUNet README's table (vww0 6.0M / 0.37M, vww2 55.8M / 0.64M: tests/test_mcunet.py).
- mcunetv2-large: the MCUNetV2 model with SE blocks that TinyEngine tests patch-based inference on (split after
  layer 8, 4x4 patches): github.com/mit-han-lab/tinyengine, assets/mcunetv2_large.tflite with
  examples/mcunetv2_se_large.py (commit 47bb283ce9d7e33c6fea623b3792726046dc9cfa), read operator by operator.
  Its first block has no depthwise conv (a 1x1 projection only), its SE blocks are mean -> 1x1 conv + ReLU6 ->
  1x1 conv -> hard sigmoid (ReLU6(x + 3) / 6) -> multiply, with the squeezed width per block in the file, and it
  has a feature-mix 1x1 conv + ReLU6 before the mean. 224x224, 1000 classes, about 2 M weights: it does not fit
  a 1 MiB flash.

Not here, because no public config was found: a KWS model (MIT HAN Lab say they have none to share:
mit-han-lab/tinyengine issue 77; a ProxylessNASNets JSON with a 1-channel [5, 11] stride [1, 2] first conv turns
up in code search without a repository to cite) and the MCUNetV2 models of the paper's tables (M4, H7, the VWW
ones): searched mit-han-lab/mcunet's history, mit-han-lab/tinyml, tinyengine, tiny-training, their forks and
GitHub code, issues and web pages.

Per block: (depthwise kernel (0: none), hidden channels (0: no expansion conv), output channels, stride,
residual[, SE squeeze channels]). `mix`: the feature-mix 1x1 conv's channels, where there is one.
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
    "mcunet-vww0": dict(config="mcunet-10fps_vww (Wake Vision transcription)", resolution=64, stem=16, classes=2,
                        blocks=[
        (3, 0, 8, 1, 0), (5, 48, 16, 2, 0), (3, 64, 16, 1, 1), (3, 80, 24, 2, 0), (3, 96, 24, 1, 1),
        (3, 96, 24, 1, 1), (3, 120, 40, 2, 0), (3, 160, 40, 1, 1), (7, 120, 40, 1, 1), (3, 120, 48, 1, 0),
        (3, 192, 48, 1, 1), (7, 240, 96, 2, 0), (5, 480, 96, 1, 1), (7, 384, 160, 1, 0)]),
    "mcunet-vww1": dict(config="mcunet-5fps_vww (official TFLite)", resolution=80, stem=16, classes=2,
                        blocks=[
        (3, 0, 8, 1, 0), (3, 48, 16, 2, 0), (3, 48, 16, 1, 1), (3, 48, 16, 1, 1), (7, 48, 24, 2, 0),
        (3, 144, 24, 1, 1), (5, 120, 24, 1, 1), (7, 144, 40, 2, 0), (7, 240, 40, 1, 1), (3, 240, 48, 1, 0),
        (3, 192, 48, 1, 1), (5, 240, 96, 2, 0), (3, 480, 96, 1, 1), (3, 384, 96, 1, 1), (7, 288, 160, 1, 0)]),
    "mcunet-vww2": dict(config="mcunet-320kb-1mb_vww (Wake Vision transcription)", resolution=144, stem=16,
                        classes=2, blocks=[
        (3, 0, 8, 1, 0), (3, 24, 16, 2, 0), (3, 80, 16, 1, 1), (5, 96, 16, 1, 1), (3, 48, 16, 1, 1),
        (7, 80, 24, 2, 0), (5, 96, 24, 1, 1), (3, 96, 24, 1, 1), (7, 144, 24, 1, 1), (3, 144, 40, 2, 0),
        (7, 240, 40, 1, 1), (5, 160, 40, 1, 1), (3, 200, 40, 1, 1), (5, 200, 48, 1, 0), (5, 144, 48, 1, 1),
        (3, 192, 48, 1, 1), (5, 144, 48, 1, 1), (3, 192, 96, 2, 0), (5, 480, 96, 1, 1), (5, 384, 96, 1, 1),
        (3, 384, 96, 1, 1), (3, 480, 160, 1, 0)]),
    "mcunetv2-large": dict(config="tinyengine assets/mcunetv2_large.tflite", resolution=224, stem=16, classes=1000,
                           mix=384, blocks=[
        (0, 0, 16, 1, 0), (3, 96, 24, 2, 0), (3, 96, 40, 2, 0), (5, 240, 40, 1, 1, 10), (5, 240, 40, 1, 1, 10),
        (3, 120, 40, 1, 1, 10), (5, 240, 64, 2, 0, 10), (5, 256, 64, 1, 1, 16), (3, 192, 64, 1, 1, 16),
        (7, 256, 64, 1, 1, 16), (5, 384, 96, 1, 0, 16), (5, 384, 96, 1, 1, 24), (5, 288, 96, 1, 1, 24),
        (7, 384, 144, 2, 0, 24), (3, 576, 144, 1, 1, 36), (3, 576, 144, 1, 1, 36), (5, 576, 240, 1, 0)]),
}

