#!/usr/bin/env python3
"""Exports the test model zoo with torch (Debian's python3-torch / python3-torchvision).

For each model and opset it writes <out>/<model>_op<opset>/: model.onnx, input.npy (a seeded
random input) and expected.npy (torch's output for it, eval mode, no grad). Folders that
already hold all three files of this ZOO_VERSION are kept (a cache). Weights are seeded, never downloaded.

The fine-tunes share resnet18's backbone weights exactly and differ only in their heads
(a frozen backbone with two task heads), for the multi-model fusion demo and tests.
"""
import argparse
import inspect
import os
import sys
import time

import numpy as np
import torch
import torchvision


class TinyEncoder(torch.nn.Module):
    """A small BERT-like encoder: 2 layers, d_model 128, 4 heads, ff 256, on [1, 16, 128]."""

    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=256, dropout=0.0,
                                                 batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = torch.nn.Linear(128, 8)

    def forward(self, x):
        return self.head(self.encoder(x))


def resnet18_finetune(head_seed):
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None)
    torch.manual_seed(head_seed)
    model.fc = torch.nn.Linear(512, 10)
    return model


MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), (1, 3, 224, 224)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(weights=None), (1, 3, 224, 224)),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None), (1, 3, 224, 224)),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(weights=None), (1, 3, 224, 224)),
    "googlenet": (lambda: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True),
                  (1, 3, 224, 224)),
    "densenet121": (lambda: torchvision.models.densenet121(weights=None), (1, 3, 224, 224)),
    "transformer_encoder": (TinyEncoder, (1, 16, 128)),
    # Exported as torch holds it: BatchNormalization nodes kept (torch's own eval-mode export
    # folds them into the convolutions), for fusedinf's fold-batchnorm pass to remove.
    "resnet50_unfolded": (lambda: torchvision.models.resnet50(weights=None), (1, 3, 224, 224)),
    "resnet18_cats": (lambda: resnet18_finetune(1), (1, 3, 224, 224)),
    "resnet18_dogs": (lambda: resnet18_finetune(2), (1, 3, 224, 224)),
}


def zoo_folder(out_dir, name, opset, batch=1):
    return os.path.join(out_dir, f"{name}_op{opset}" + (f"_b{batch}" if batch > 1 else ""))


# Bumped whenever the exported models or data change: cached folders of another version are
# exported again.
ZOO_VERSION = "2"


def randomize_normalization(model):
    """Gives every BatchNorm non-trivial statistics and affine parameters, as trained models
    have (a fresh torchvision model has mean 0, variance 1, scale 1, shift 0, which hides
    mistakes in folding BatchNorm into convolutions and lets activations fade to ~1e-9)."""
    generator = torch.Generator().manual_seed(4321)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                n = module.num_features
                module.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(n, generator=generator))
                if module.affine:
                    module.weight.copy_(0.5 + torch.rand(n, generator=generator))
                    module.bias.copy_(0.1 * torch.randn(n, generator=generator))
    return model


def make_model(name):
    """The model with its seeded weights (the same on every call with the same torch)."""
    torch.manual_seed(0)
    return randomize_normalization(MODELS[name][0]()).eval()


def export(name, opset, out_dir, batch=1):
    folder = zoo_folder(out_dir, name, opset, batch)
    files = [os.path.join(folder, f) for f in ("model.onnx", "input.npy", "expected.npy")]
    version_file = os.path.join(folder, "zoo_version")
    if all(os.path.exists(f) for f in files) and os.path.exists(version_file):
        with open(version_file) as f:
            if f.read().strip() == ZOO_VERSION:
                return False
    os.makedirs(folder, exist_ok=True)
    shape = (batch,) + MODELS[name][1][1:]
    model = make_model(name)
    generator = torch.Generator().manual_seed(1234)
    x = torch.randn(*shape, generator=generator)
    with torch.no_grad():
        expected = model(x)
    # Exported with autograd on: under no_grad torch takes the fused transformer fast path,
    # which has no ONNX export.
    tmp = files[0] + ".tmp"
    # The TorchScript exporter: newer torch defaults to its dynamo exporter, whose graphs and
    # opsets differ; the zoo must be the same models on every machine.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    # PRESERVE (the model is in eval mode) skips torch's eval-mode Conv+BatchNorm fusion.
    unfolded = {"training": torch.onnx.TrainingMode.PRESERVE} if name.endswith("_unfolded") else {}
    torch.onnx.export(model, x, tmp, opset_version=opset, do_constant_folding=not unfolded,
                      input_names=["input"], output_names=["output"], **legacy, **unfolded)
    np.save(files[1], x.numpy())
    np.save(files[2], expected.numpy())
    os.replace(tmp, files[0])
    with open(version_file, "w") as f:
        f.write(ZOO_VERSION + "\n")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    default_out = os.path.join(os.environ.get("FUSEDINF_CACHE", os.path.expanduser("~/.cache/fusedinf")), "zoo")
    parser.add_argument("--out", default=default_out)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--opsets", default="13,17")
    parser.add_argument("--batch", type=int, default=1, help="batch size (folders get a _bN suffix when > 1)")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    start = time.time()
    for name in args.models.split(","):
        if name not in MODELS:
            sys.exit(f"unknown model '{name}' (known: {', '.join(MODELS)})")
        for opset in (int(o) for o in args.opsets.split(",")):
            t = time.time()
            if export(name, opset, args.out, args.batch):
                print(f"exported {name} opset {opset} in {time.time() - t:.1f} s", flush=True)
    print(f"zoo ready in {args.out} ({time.time() - start:.1f} s)")


if __name__ == "__main__":
    main()
