"""How much of PyTorch's public API ember has, per namespace, from the installed PyTorch.

Counts the public callables (functions and classes) of each namespace below in ``torch`` and
checks whether ember has the same name at the same place. A short list of deliberate
exclusions is left out of the count, each category with its reason (``EXCLUSIONS``): what a
CPU-only NumPy library cannot or should not offer. Everything else missing counts against
ember.

Usage: ``python tools/api_coverage.py [--missing] [--json FILE]`` (needs torch installed).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys

NAMESPACES = (
    "", "Tensor", "nn", "nn.functional", "optim", "optim.lr_scheduler", "utils.data", "nn.init",
    "autograd", "nn.utils", "linalg",
)

# category -> (reason, predicate on (namespace, name, torch object))
_TOKENS_DEVICE = {
    "cuda", "cudnn", "miopen", "mps", "mkldnn", "xpu", "hpu", "ipu", "xla", "vulkan", "metal",
    "fbgemm", "nnpack", "mkl", "mtia", "onednn", "cudart", "hip", "lazy", "meta", "ipex",
    "pin", "pinned", "nested", "privateuse1",
}
_TOKENS_SPARSE = {"sparse", "coo", "csr", "csc", "bsr", "bsc", "coalesce", "coalesced", "nnz",
                  "semi", "structured"}
_SPARSE_OPS = {"spmm", "dsmm", "hsmm", "smm", "sspaddmm", "saddmm", "hspmm"}
_SPARSE_METHODS = {
    "indices", "values", "crow_indices", "ccol_indices", "col_indices", "row_indices",
    "to_dense", "sparse_dim", "dense_dim", "sparse_mask", "sparse_resize_",
    "sparse_resize_and_clear_",
}
_TOKENS_QUANT = {"quant", "quantize", "quantized", "dequantize", "qscheme", "qint", "quint",
                 "qparams", "int_repr", "fake", "q"}
_JIT_PATTERNS = re.compile(
    r"(Script|Type$|^Sym|Dispatch|Storage|^Graph|^Block$|^Node$|^Value$|^Use$|^Code$|^Argument"
    r"|FileCheck|Tracing|JIT|Compilation|Logger|Benchmark|ExecutionPlan|Capsule|Future|Await"
    r"|^Tag$|^IODescriptor|^ErrorReport|^CallStack|^Gradient$|^AliasDb|^OperatorInfo"
    r"|^FunctionSchema|^DeepCopyMemoTable|^ConcreteModuleType|StaticModule|^LiteScriptModule"
    r"|^PyTorchFile|StorageContext|^InferredType|^Stream$|^Event$|^classproperty"
    r"|_copy$|_backward|^native_|^_|^fused_|^batch_norm_(backward|elemt|gather|stats|update)"
    r"|^(jit|fx|compile|compiler|export|dynamo|inductor|vmap)$|^is_inference_mode_enabled$"
    r"|^autocast_|_autocast|^(get|set)_autocast|^clear_autocast|^compiled_with"
    r"|^(import_ir_module|merge_type_from_type_comment|parse_ir|parse_schema|parse_type_comment"
    r"|read_vitals|set_vital|vitals_enabled|unify_type_list|fork|wait|init_num_threads"
    r"|has_(lapack|mkl|openmp|spectral|cuda|cudnn|mps|mkldnn)|get_file_path|sym_.*|lift.*|alias"
    r"|is_grad_enabled_|promote_types_|result_type_)$)"
)
_TYPING_MODULES = {"typing", "typing_extensions", "collections.abc", "abc", "enum", "builtins",
                   "functools", "contextlib", "dataclasses", "types"}

EXCLUSIONS = {
    "device-specific": (
        "CUDA, cuDNN, MPS, XPU, oneDNN/MKL-DNN, lazy/meta device and pinned-memory entry "
        "points: ember runs on the CPU only, where PyTorch itself has no behaviour for them",
        lambda ns, n, obj: bool(_TOKENS_DEVICE & set(n.lower().split("_"))) or "cuda" in n.lower(),
    ),
    "sparse": (
        "sparse layouts (COO/CSR/CSC/BSR) and their accessors: ember tensors are dense",
        lambda ns, n, obj: bool(_TOKENS_SPARSE & set(n.lower().split("_")))
        or n in _SPARSE_OPS or (ns == "Tensor" and n in _SPARSE_METHODS),
    ),
    "quantization": (
        "quantized dtypes and fake-quantization: ember has no integer-quantized kernels",
        lambda ns, n, obj: bool(_TOKENS_QUANT & set(n.lower().split("_"))),
    ),
    "jit-compiler-internals": (
        "TorchScript/FX/dynamo classes, typed storages, dispatcher plumbing, functionalization "
        "*_copy variants and ATen backward kernels exposed only for the compiler",
        lambda ns, n, obj: bool(_JIT_PATTERNS.search(n)),
    ),
    "typing-re-exports": (
        "names re-exported from typing/abc/functools that happen to sit in torch's namespaces",
        lambda ns, n, obj: getattr(obj, "__module__", "") in _TYPING_MODULES,
    ),
}


def _resolve(root, path: str):
    obj = root
    for part in filter(None, path.split(".")):
        obj = getattr(obj, part, None)
        if obj is None:
            try:
                obj = importlib.import_module(f"{root.__name__}.{path}")
            except ImportError:
                return None
            break
    return obj


def exclusion_of(ns: str, name: str, obj) -> str | None:
    for category, (_, matches) in EXCLUSIONS.items():
        if matches(ns, name, obj):
            return category
    return None


def coverage() -> dict:
    import torch

    import ember

    report = {}
    for ns in NAMESPACES:
        t, e = _resolve(torch, ns), _resolve(ember, ns)
        names = sorted(n for n in dir(t) if not n.startswith("_") and callable(getattr(t, n, None)))
        rows = {"have": [], "missing": [], "excluded": {}}
        for n in names:
            if e is not None and hasattr(e, n):
                rows["have"].append(n)
                continue
            category = exclusion_of(ns, n, getattr(t, n))
            if category:
                rows["excluded"].setdefault(category, []).append(n)
            else:
                rows["missing"].append(n)
        report[ns or "torch"] = rows
    return report


def totals(report: dict) -> tuple[int, int, int]:
    have = sum(len(r["have"]) for r in report.values())
    missing = sum(len(r["missing"]) for r in report.values())
    excluded = sum(len(v) for r in report.values() for v in r["excluded"].values())
    return have, missing, excluded


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list every missing name")
    parser.add_argument("--json", help="write the whole report to this file")
    args = parser.parse_args(argv)
    report = coverage()
    print(f"{'namespace':<20} {'have':>5} {'missing':>8} {'excluded':>9} {'coverage':>9}")
    for ns, r in report.items():
        h, m = len(r["have"]), len(r["missing"])
        x = sum(len(v) for v in r["excluded"].values())
        print(f"{ns:<20} {h:>5} {m:>8} {x:>9} {100 * h / max(h + m, 1):>8.1f}%")
    have, missing, excluded = totals(report)
    percent = 100 * have / (have + missing)
    print(f"{'all':<20} {have:>5} {missing:>8} {excluded:>9} {percent:>8.1f}%")
    print("\nexcluded, by category:")
    for category, (reason, _) in EXCLUSIONS.items():
        count = sum(len(r["excluded"].get(category, [])) for r in report.values())
        print(f"  {category} ({count}): {reason}")
    if args.missing:
        for ns, r in report.items():
            if r["missing"]:
                print(f"\n[{ns}] missing: " + " ".join(r["missing"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
