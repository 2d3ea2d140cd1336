#!/usr/bin/env python3
"""Prints the correctness tables of bench/results/correctness.md (markdown) from a build.

Corpus: runs tests/run_corpus_case.sh on every model of the fetched corpus (scripts/fetch_corpus.py)
and reports, per model, its package, exporter, opset and the largest relative L2 error over its
outputs against onnxruntime, or why it failed. Conformance: reads the JSON files that the
`conformance` and `conformance_onnx_1_23` CTests write into the build folder.
  $(scripts/python_env.sh) scripts/correctness_report.py --build build
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("FUSEDINF_CACHE") or os.path.expanduser("~/.cache/fusedinf")


def corpus_rows(build, corpus):
    with open(os.path.join(corpus, "manifest.json")) as f:
        manifest = json.load(f)
    rows, matched = [], 0
    for m in manifest["models"]:
        work = os.path.join(build, "corpus_report", m["name"])
        proc = subprocess.run([os.path.join(ROOT, "tests", "run_corpus_case.sh"), os.path.join(build, "fusedinf"),
                               os.path.join(corpus, "cases", m["name"]), work],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        errors = [float(e) for e in re.findall(r"relative L2 error (\S+) ", proc.stdout)]
        if proc.returncode == 0 and "refused as expected" not in proc.stdout:
            matched += 1
            result = f"match, {max(errors):.2g}"
        else:
            lines = [ln for ln in proc.stdout.splitlines() if re.search(r"^error|MISMATCH|not expected", ln)]
            why = lines[0] if lines else proc.stdout.strip().splitlines()[-1]
            why = why.replace(os.path.join(corpus, "cases", m["name"]) + "/", "")
            if errors and max(errors) > 1e-4:
                why = f"WRONG: relative L2 up to {max(errors):.3g}"
            result = ("refused as expected: " if "refused as expected" in proc.stdout else "FAILS: ") + why
        opset = m["opset"].get("ai.onnx")
        rows.append(f"| {m['name']} | {m['package']} {m['version']} | {m['exporter']} | {opset} | {result} |")
    header = ["| model | package | exporter | opset | default passes, CPU: max relative L2 over outputs |",
              "|---|---|---|---|---|"]
    return matched, len(manifest["models"]), header + rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--corpus", default=os.path.join(CACHE, "corpus"))
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    matched, total, table = corpus_rows(build, args.corpus)
    print(f"Corpus: {matched} of {total} models match onnxruntime (relative L2 <= 1e-4 on every output).\n")
    print("\n".join(table))
    print("\n| conformance set | cases | passed | failed | unsupported |\n|---|---|---|---|---|")
    for name, label in (("conformance.json", "Debian libonnx-testdata 1.12 (node, pytorch-*, simple)"),
                        ("conformance_onnx_1_23.json", "onnx 1.23.2 wheel's node generators")):
        path = os.path.join(build, name)
        if not os.path.isfile(path):
            print(f"| {label} | (no {name}: run its CTest) | | | |")
            continue
        with open(path) as f:
            j = json.load(f)
        print(f"| {label} | {len(j['cases'])} | {j['passed']} | {j['failed']} | {j['unsupported']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
