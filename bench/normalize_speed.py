"""Normalizer throughput on short chat-like strings, on one core.

Usage: python bench/normalize_speed.py [--repeat 5] [--max-chars 64]

The strings are every FAQ phrasing of the bundled data plus lowercase, unaccented and
decomposed variants, so the run mixes the fast path with the rarer ones. Each repeat times
one pass over a fresh copy of the list; the median of the repeats is reported.

The normalizer memoizes the folded form of each whitespace-separated token
(``knowledge.normalize.fold_words``), so three figures are given: ``warm`` (the memo kept
between repeats, as in a running bot), ``cold`` (the memo emptied before every repeat, so
each distinct token pays the full cost once per pass) and ``no_memo`` (folding every token
in full, the cost of text made of unseen tokens).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import normalize as normalize_module  # noqa: E402
from knowledge.content import load_faq  # noqa: E402
from knowledge.normalize import default_normalizer, fold  # noqa: E402
from knowledge.paths import bundled_data_dir  # noqa: E402


def corpus() -> list[str]:
    phrasings = [q for e in load_faq(bundled_data_dir()) for q in e.questions]
    variants = []
    for q in phrasings:
        variants += [q, q.lower(), fold(q), unicodedata.normalize("NFD", q)]
    return variants


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--min-strings", type=int, default=200_000)
    parser.add_argument(
        "--max-chars", type=int, default=0, help="keep only strings this short (0: all)"
    )
    args = parser.parse_args()

    normalize = default_normalizer()
    base = [s for s in corpus() if not args.max_chars or len(s) <= args.max_chars]
    strings = (base * (args.min_strings // len(base) + 1))[: args.min_strings]
    mean_chars = sum(map(len, strings)) / len(strings)
    report: dict[str, object] = {"strings": len(strings), "mean_chars": round(mean_chars, 1)}
    memo_folding = normalize_module.fold_words
    for mode in ("warm", "cold", "no_memo"):
        normalize_module.fold_words = (
            normalize_module._fold_words if mode == "no_memo" else memo_folding
        )
        rates = []
        for _ in range(args.repeat):
            batch = [s + "" for s in strings]
            if mode == "cold":
                normalize_module._TOKEN_MEMO.clear()
            started = time.perf_counter()
            for s in batch:
                normalize(s)
            rates.append(len(batch) / (time.perf_counter() - started))
        report[mode] = {
            "median_per_second": round(statistics.median(rates)),
            "min_per_second": round(min(rates)),
            "max_per_second": round(max(rates)),
        }
    normalize_module.fold_words = memo_folding
    report["distinct_tokens"] = len({t for s in base for t in s.split()})
    print(json.dumps(report))


if __name__ == "__main__":
    main()
