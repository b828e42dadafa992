"""Compare the JSON and CSV results of two sets of runs number by number (docker/test.sh).

    python docker/compare.py DIR_A DIR_B RUN [RUN ...] [--rtol 1e-10] [--alias A_PATH=B_PATH]

For every RUN, DIR_A/RUN and DIR_B/RUN must hold the same ``*.json`` and ``*.csv`` files
(ADIOS2 ``.bp`` folders are skipped: they hold timings; so are the hidden stores
``.NAME.sets/`` whose folder names carry a time and a process id: the visible names
point into them).  A result set's
``*.manifest.json`` is bookkeeping (writer host, process id, time, file hashes): only its
``complete`` flag and its list of files are compared.  Each file is split into numbers
and the text between them; the text must be identical and every number pair equal to
``rtol`` relative: |a - b| <= rtol * max(|a|, |b|).  Round-off quantities (an energy
balance residual, a drift: numbers named ``*residual*`` or ``*drift*``, which are zero up to
round-off) are compared against the scale of their record instead: ``rtol`` times the
largest number in the same CSV row, or in the same JSON file.  ``--alias`` replaces a path
in A's files by its name in B (the source tree and the results folder are elsewhere in a
container).  Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|\b(?:nan|inf)\b", re.I)
ROUNDOFF = re.compile(r"residual|drift", re.I)


def files(folder: Path) -> list[str]:
    """The JSON and CSV files below ``folder`` (relative paths), ADIOS2 folders left out."""
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix in (".json", ".csv") and ".bp" not in p.parent.name:
            parts = p.relative_to(folder).parts
            hidden_store = any(x.startswith(".") and x.endswith(".sets") for x in parts)
            if not hidden_store and not any(x.endswith(".bp") for x in parts):
                out.append(str(p.relative_to(folder)))
    return out


def split(text: str) -> tuple[list[str], list[float]]:
    """The text between the numbers, and the numbers."""
    return NUMBER.split(text), [float(x) for x in NUMBER.findall(text)]


def roundoff_mask(path: str, text: str, n: int) -> tuple[list[bool], list[float]]:
    """For each number of the file: is it a round-off quantity, and its record's scale.

    The scale: the largest |number| of its row (CSV) or of the file (JSON).
    """
    mask, scale = [], []
    if path.endswith(".csv"):
        lines = text.splitlines(keepends=True)
        body = [ln for ln in lines if not ln.startswith("#")]
        header = body[0].strip().split(",") if body else []
        for line in lines:
            nums = [float(x) for x in NUMBER.findall(line)]
            big = max((abs(x) for x in nums), default=0.0)
            cells = line.strip().split(",")
            if line.startswith("#") or len(cells) != len(header):
                mask += [False] * len(nums)
            else:
                for cell, col in zip(cells, header, strict=True):
                    mask += [bool(ROUNDOFF.search(col))] * len(NUMBER.findall(cell))
            scale += [big] * len(nums)
    else:
        big = max((abs(float(x)) for x in NUMBER.findall(text)), default=0.0)
        for m in NUMBER.finditer(text):
            key = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            mask.append(bool(ROUNDOFF.search(key)))
            scale.append(big)
    assert len(mask) == n, (path, len(mask), n)
    return mask, scale


def compare_manifest(a: Path, b: Path, rel: str) -> list[str]:
    """A manifest's flag and file list must agree (its hashes, host and time may not)."""
    ma, mb = json.loads(a.read_text()), json.loads(b.read_text())
    errors = []
    if not (ma.get("complete") is True and mb.get("complete") is True):
        errors.append(f"{rel}: not complete ({ma.get('complete')} vs {mb.get('complete')})")
    if sorted(ma.get("files", {})) != sorted(mb.get("files", {})):
        errors.append(
            f"{rel}: file lists differ {sorted(ma.get('files', {}))} vs {sorted(mb.get('files', {}))}"
        )
    return errors


def compare(
    a: Path, b: Path, rel: str, rtol: float, aliases: list[tuple[str, str]]
) -> tuple[list[str], float, int]:
    """Errors, largest relative difference and number count of one file pair."""
    if rel.endswith(".manifest.json"):
        return compare_manifest(a, b, rel), 0.0, 0
    ta, tb = a.read_text(), b.read_text()
    for old, new in aliases:
        ta = ta.replace(old, new)
    (sa, na), (sb, nb) = split(ta), split(tb)
    if sa != sb or len(na) != len(nb):
        diff = next((f"{x!r} vs {y!r}" for x, y in zip(sa, sb, strict=False) if x != y), "")
        return [f"{rel}: text differs ({len(na)} vs {len(nb)} numbers) {diff}"], 0.0, 0
    mask, scale = roundoff_mask(rel, ta, len(na))
    errors, worst = [], 0.0
    for i, (x, y) in enumerate(zip(na, nb, strict=True)):
        ref = scale[i] if mask[i] else max(abs(x), abs(y))
        d = abs(x - y)
        r = d / ref if ref > 0 else (0.0 if d == 0 else float("inf"))
        if x != x and y != y:  # nan in both
            r = 0.0
        worst = max(worst, r)
        if r > rtol and len(errors) < 10:
            what = "round-off, vs its record" if mask[i] else "relative"
            errors.append(f"{rel}: number {i}: {x!r} vs {y!r} ({what} {r:.2e})")
    return errors, worst, len(na)


def main() -> int:
    """Compare every run; 1 if any file differs."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--rtol", type=float, default=1e-10)
    ap.add_argument("--alias", action="append", default=[], help="A_PATH=B_PATH")
    args = ap.parse_args()
    aliases = sorted((tuple(x.split("=", 1)) for x in args.alias), key=lambda p: -len(p[0]))
    failed = False
    for run in args.runs:
        fa, fb = files(args.a / run), files(args.b / run)
        if not fa or fa != fb:
            print(f"{run}: files differ or none: {fa} vs {fb}")
            failed = True
            continue
        count, worst = 0, 0.0
        for rel in fa:
            errors, w, n = compare(args.a / run / rel, args.b / run / rel, rel, args.rtol, aliases)
            count, worst = count + n, max(worst, w)
            for e in errors:
                print(f"{run}: {e}")
            failed |= bool(errors)
        print(f"{run}: {len(fa)} files, {count} numbers, largest relative difference {worst:.1e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
