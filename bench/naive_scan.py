"""The naive baseline: read every file whole, run one combined regex, count matches.

    python bench/naive_scan.py DIR

No format handling, no validation, no parallelism: what a short pure-Python
script would do. Prints `files bytes matches` on one line.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from patterns import combined  # noqa: E402


def scan(root: str):
    regex = re.compile(combined().encode())
    files = size = matches = 0
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            with open(os.path.join(folder, name), "rb") as stream:
                data = stream.read()
            files += 1
            size += len(data)
            matches += sum(1 for _ in regex.finditer(data))
    return files, size, matches


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: naive_scan.py DIR", file=sys.stderr)
        return 2
    print(*scan(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
