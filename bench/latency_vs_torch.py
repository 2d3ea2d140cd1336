#!/usr/bin/env python3
"""fusedinf against PyTorch on one device, interleaved in one run.

For each zoo model and batch size: exports the model with this machine's torch (seeded, as
scripts/export_zoo.py does, so torch and the ONNX hold the same weights), imports it with
fusedinf, checks that fusedinf's output matches torch's (relative L2 <= 1e-4), then for R
rounds times N runs of each in turn: fusedinf (bench/latency_server, one process per model,
CUDA graphs replayed from its second run), torch eager, and torch with CUDA graphs (GPU only).
Every timed run takes a host input and returns a host output (input copy, compute, output
copy), fp32 with TF32 off. Reports median latencies, the ratios fusedinf / torch, and device
memory: fusedinf's arena + weights, torch's peak allocated. Appends a markdown table to --out.
With --own-epilogues-too (CUDA), a second fusedinf server runs with --no-library-epilogues
(bias and activation in our kernel, never inside cuDNN/cuBLASLt), interleaved with the rest.

  bench/latency_vs_torch.py --fusedinf build/fusedinf --server build/latency_server \\
      [--device auto|cpu|cuda] [--models resnet18,...] [--batches 1,8] [--rounds 5] [--iters 20]
"""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import export_zoo  # noqa: E402  (the zoo's models, seeds and export)


class FusedinfServer:
    def __init__(self, server, fim, input_npy, backend, extra=()):
        self.proc = subprocess.Popen([server, fim, "--input", input_npy, "--backend", backend, *extra],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.proc.stdout.readline().split()
        if not ready or ready[0] != "ready":
            raise RuntimeError(f"latency_server: {' '.join(ready)}")
        self.backend = ready[1]

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().split()
        if not reply or reply[0] == "error":
            raise RuntimeError(f"latency_server '{line}': {' '.join(reply)}")
        return reply[1:]

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait()


def time_runs(fn, n, sync):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def relative_l2(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def bench_model(args, name, batch, device, work):
    folder = export_zoo.zoo_folder(args.zoo, name, 17, batch)
    export_zoo.export(name, 17, args.zoo, batch)
    fim = os.path.join(work, f"{name}_b{batch}.fim")
    subprocess.run([args.fusedinf, "import", os.path.join(folder, "model.onnx"), "-o", fim], check=True,
                   stdout=subprocess.DEVNULL)
    x_host = torch.from_numpy(np.load(os.path.join(folder, "input.npy")))
    model = export_zoo.make_model(name).to(device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    with torch.no_grad():
        def eager():
            return model(x_host.to(device)).cpu()

        want = eager().numpy()
        server = FusedinfServer(args.server, fim, os.path.join(folder, "input.npy"), args.backend)
        got_path = os.path.join(work, "got.npy")
        server.ask("run 1")
        server.ask(f"output {got_path}")
        error = relative_l2(np.load(got_path), want)
        if error > 1e-4:
            raise RuntimeError(f"{name} batch {batch}: fusedinf differs from torch, relative L2 {error:.3g}")
        own = None
        if args.own_epilogues_too and args.backend == "cuda":
            own = FusedinfServer(args.server, fim, os.path.join(folder, "input.npy"), args.backend,
                                 ["--no-library-epilogues"])
            own.ask("run 1")
            own.ask(f"output {got_path}")
            own_error = relative_l2(np.load(got_path), want)
            if own_error > 1e-4:
                raise RuntimeError(f"{name} batch {batch}: fusedinf (own epilogues) differs from torch, "
                                   f"relative L2 {own_error:.3g}")

        graphed = None
        if device.type == "cuda":
            static_x = x_host.to(device)
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(3):
                    model(static_x)
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                static_y = model(static_x)

            def graphed():
                static_x.copy_(x_host)
                graph.replay()
                return static_y.cpu()

        for _ in range(3):
            eager()
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        samples = {"fusedinf": [], "own": [], "eager": [], "graphs": []}
        for _ in range(args.rounds):  # interleaved: A B C A B C ...
            samples["fusedinf"] += [float(t) for t in server.ask(f"run {args.iters}")]
            if own:
                samples["own"] += [float(t) for t in own.ask(f"run {args.iters}")]
            samples["eager"] += time_runs(eager, args.iters, sync)
            if graphed:
                samples["graphs"] += time_runs(graphed, args.iters, sync)
        arena, weights = (int(v) for v in server.ask("memory"))
        server.close()
        if own:
            own.close()
        torch_peak = torch.cuda.max_memory_allocated() if device.type == "cuda" else None
    med = {k: statistics.median(v) if v else None for k, v in samples.items()}
    return {"name": name, "batch": batch, "error": error, "median": med, "fusedinf_bytes": arena + weights,
            "torch_peak": torch_peak, "backend": server.backend}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_zoo = os.path.join(os.environ.get("FUSEDINF_CACHE", os.path.expanduser("~/.cache/fusedinf")), "zoo")
    parser.add_argument("--fusedinf", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--zoo", default=default_zoo)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--models", default="resnet18,resnet50,mobilenet_v2")
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--out", default="")
    parser.add_argument("--machine", default="")
    parser.add_argument("--own-epilogues-too", action="store_true",
                        help="CUDA: also time fusedinf with --no-library-epilogues (an extra column)")
    args = parser.parse_args()
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
                          else "cpu")
    args.backend = "cuda" if device.type == "cuda" else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    own_column = args.own_epilogues_too and args.backend == "cuda"
    gpu = torch.cuda.get_device_name(0) if device.type == "cuda" else f"CPU {platform.processor() or platform.machine()}"
    header = (f"\n## {datetime.date.today()}: fusedinf ({args.backend}) vs PyTorch {torch.__version__} ({device.type})\n\n"
              f"Machine: {args.machine or gpu}. Median of {args.rounds} rounds x {args.iters} runs, interleaved; each run "
              "copies a host input in and the output back; fp32, TF32 off. fusedinf memory: arena + weights "
              "(library handles not counted); torch: peak allocated.\n\n"
              f"| model | batch | fusedinf ms |{' fusedinf, own epilogues ms |' if own_column else ''} "
              "torch eager ms | torch CUDA graphs ms | vs eager | vs graphs | "
              f"fusedinf MiB | torch peak MiB | rel. L2 vs torch |\n|---|---|---|{'---|' if own_column else ''}"
              "---|---|---|---|---|---|---|")

    def emit(line):  # each row as soon as it is measured: a run cut short keeps what it had
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(line + "\n")

    emit(header)
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        for name in args.models.split(","):
            for batch in (int(b) for b in args.batches.split(",")):
                try:
                    r = bench_model(args, name, batch, device, work)
                except Exception as e:  # noqa: BLE001  (one model's failure must not hide the others)
                    failed += 1
                    emit(f"| {name} | {batch} | failed: {str(e).splitlines()[0] if str(e) else type(e).__name__} |")
                    continue
                m = r["median"]
                ratio = lambda k: f"{m['fusedinf'] / m[k]:.2f}" if m[k] else "n/a"  # noqa: E731
                fmt = lambda v: f"{v:.3f}" if v is not None else "n/a"  # noqa: E731
                mib = lambda v: f"{v / 2**20:.1f}" if v is not None else "n/a"  # noqa: E731
                own_cell = f" {fmt(m['own'])} |" if own_column else ""
                emit(f"| {name} | {batch} | {fmt(m['fusedinf'])} |{own_cell} {fmt(m['eager'])} | "
                     f"{fmt(m['graphs'])} | {ratio('eager')} | {ratio('graphs')} | {mib(r['fusedinf_bytes'])} | "
                     f"{mib(r['torch_peak'])} | {r['error']:.1e} |")
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
