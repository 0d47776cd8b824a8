#!/usr/bin/env python3
"""Refresh the examples in docs/diagnostics.md from the current output of
`mplp-scale lint` on the fixture each example names. Run after changing a message:

    cargo build && python3 scripts/diagnostics-examples.py

tests/suite/lint.rs (`documented_examples_match_the_output`) fails while they are stale.
"""
import os
import re
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = os.path.join(ROOT, "target", "debug", "mplp-scale")
DOC = os.path.join(ROOT, "docs", "diagnostics.md")

PATTERN = re.compile(r"## (\S+): ([^\n]*)\n\n((?:[^\n]+\n)+)\nExample \(`([^`]+)`\):\n\n```text\n.*?\n```", re.S)


def example(code, fixture):
    out = subprocess.run([BIN, "lint", fixture], cwd=ROOT, capture_output=True, text=True).stdout
    for block in out.strip().split("\n\n"):
        if f"[{code}]" in block.split("\n")[0]:
            return block
    raise SystemExit(f"{fixture} no longer produces {code}")


def main():
    with open(DOC) as fh:
        doc = fh.read()
    doc = PATTERN.sub(
        lambda m: f"## {m.group(1)}: {m.group(2)}\n\n{m.group(3)}\nExample (`{m.group(4)}`):\n\n"
        f"```text\n{example(m.group(1), m.group(4))}\n```",
        doc,
    )
    with open(DOC, "w") as fh:
        fh.write(doc)


if __name__ == "__main__":
    main()
