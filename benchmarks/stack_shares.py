"""Self and cumulative shares of the functions in a py-spy profile (``--format raw``).

py-spy's raw format is one collapsed stack per line, ``frame;frame;... COUNT``,
each frame ``function (file:line)``. This prints, for the functions seen, the
share of samples in which each is the innermost frame (self) and in which it
appears anywhere (cumulative). Stacks of gevent's thread-pool worker threads,
which sit blocked on a lock and use no CPU, are left out with ``--skip``.

    py-spy record --pid PID --duration 12 --rate 200 --nonblocking --format raw -o stacks.txt
    python benchmarks/stack_shares.py stacks.txt [--top 25] [--lines parse_stream]

``--lines NAME`` also breaks the cumulative share of the functions whose name
contains NAME down by source line (C calls such as ``orjson.loads`` are
charged to the line that makes them).
"""

from __future__ import annotations

import argparse
import re
import site
import sys
from collections import Counter
from pathlib import Path

_LINE_NUMBER = re.compile(r":\d+\)$")


def shorten(frame: str, prefixes: list[str]) -> str:
    for prefix in prefixes:
        frame = frame.replace(prefix, "")
    return frame


def read_stacks(path: Path, skip: list[str]) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or any(word in stack for word in skip):
            continue
        stacks.append((stack.split(";"), int(count)))
    return stacks


def shares(
    stacks: list[tuple[list[str], int]], lines_of: list[str]
) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    by_line: Counter[str] = Counter()
    total = 0
    for frames, count in stacks:
        total += count
        names = [_LINE_NUMBER.sub(")", frame) for frame in frames]
        own[names[-1]] += count
        for name in set(names):
            anywhere[name] += count
        for wanted in lines_of:
            # The outermost frame of a recursive function only, so nothing counts twice.
            for frame, name in zip(frames, names, strict=True):
                if wanted in name.split(" (")[0]:
                    by_line[frame] += count
                    break
    return total, own, anywhere, by_line


def print_shares(title: str, counter: Counter[str], total: int, top: int, short: list[str]) -> None:
    print(f"--- {title}")
    for name, count in counter.most_common(top):
        print(f"{100.0 * count / total:5.1f}%  {shorten(name, short)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path, help="py-spy --format raw output")
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    parser.add_argument("--lines", nargs="*", default=[], help="functions to split by line")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=["_WorkerGreenlet"],
        help="leave out stacks containing any of these (default: gevent's idle pool threads)",
    )
    args = parser.parse_args(argv)
    prefixes = [p.rstrip("/") + "/" for p in site.getsitepackages()]
    prefixes.append(str(Path(__file__).resolve().parents[1]) + "/")
    total, own, anywhere, by_line = shares(read_stacks(args.profile, args.skip), args.lines)
    if not total:
        print("no samples", file=sys.stderr)
        return 1
    print(f"samples: {total}")
    print_shares("self", own, total, args.top, prefixes)
    print_shares("cumulative", anywhere, total, args.top + 10, prefixes)
    if args.lines:
        print_shares("by line", by_line, total, args.top, prefixes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
