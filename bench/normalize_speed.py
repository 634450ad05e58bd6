"""Normalizer throughput on short chat-like strings, on one core.

Usage: python bench/normalize_speed.py [--repeat 5] [--max-chars 64]

The strings are every FAQ phrasing of the bundled data plus lowercase, unaccented and
decomposed variants, so the run mixes the fast path with the rarer ones. Each repeat times
one pass over a fresh copy of the list (no caching inside the normalizer); the median of
the repeats is reported.
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
    rates = []
    for _ in range(args.repeat):
        batch = [s + "" for s in strings]
        started = time.perf_counter()
        for s in batch:
            normalize(s)
        rates.append(len(batch) / (time.perf_counter() - started))
    mean_chars = sum(map(len, strings)) / len(strings)
    print(
        json.dumps(
            {
                "strings": len(strings),
                "mean_chars": round(mean_chars, 1),
                "median_per_second": round(statistics.median(rates)),
                "min_per_second": round(min(rates)),
                "max_per_second": round(max(rates)),
            }
        )
    )


if __name__ == "__main__":
    main()
