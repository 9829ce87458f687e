"""Converts the JSON-lines files of ``envtune export verl|skyrl`` into Parquet (what verl's and SkyRL's datasets read).

    python -m envtune_adapters.to_parquet EXPORT_DIR [--out DIR]

Needs ``pyarrow`` (or ``pandas`` with a Parquet engine) at run time; the adapters themselves need
neither.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from typing import Any, List


def _read(path: str) -> List[Any]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def convert(src: str, out: str) -> List[str]:
    try:
        import pyarrow as pa  # type: ignore
        import pyarrow.parquet as pq  # type: ignore

        def write(rows: List[Any], dest: str) -> None:
            pq.write_table(pa.Table.from_pylist(rows), dest)

    except ImportError:
        try:
            import pandas as pd  # type: ignore
        except ImportError:
            raise SystemExit("[envtune] [to_parquet] needs pyarrow or pandas: pip install pyarrow") from None

        def write(rows: List[Any], dest: str) -> None:
            pd.DataFrame(rows).to_parquet(dest)

    os.makedirs(out, exist_ok=True)
    written = []
    for path in sorted(glob.glob(os.path.join(src, "*.jsonl"))):
        dest = os.path.join(out, os.path.basename(path)[: -len(".jsonl")] + ".parquet")
        write(_read(path), dest)
        written.append(dest)
    return written


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m envtune_adapters.to_parquet")
    p.add_argument("src", help="directory written by `envtune export verl` or `envtune export skyrl`")
    p.add_argument("--out", help="output directory (default: the source directory)")
    a = p.parse_args(argv)
    for dest in convert(a.src, a.out or a.src):
        print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
