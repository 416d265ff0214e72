"""Check corpus files against the schema in README.md: python models/data/validate.py FILE..."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# The label contract, from the one place the service reads it (plain Python, no venv needed).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from app.pipeline.types import COMPLAINTS, ROLES, THREAT_KINDS, TONES


def validate(path: Path, counts: Counter, seen: set[str]) -> list[str]:
    """Return the problems found in one file, counting labels into `counts`."""
    problems = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc})")
            continue
        rid, text = row.get("id"), row.get("text")
        if not rid or not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: needs id and text")
            continue
        if rid in seen:
            problems.append(f"{where}: duplicate id {rid}")
        seen.add(rid)
        if row.get("tone") not in TONES:
            problems.append(f"{where}: bad tone {row.get('tone')!r}")
        for c in row.get("complaints", []):
            if c not in COMPLAINTS:
                problems.append(f"{where}: bad complaint {c!r}")
        for t in row.get("threats", []):
            if t not in THREAT_KINDS:
                problems.append(f"{where}: bad threat {t!r}")
        cursor = 0
        for s in row.get("sentences", []) or []:
            if s.get("role") not in ROLES:
                problems.append(f"{where}: bad role {s.get('role')!r}")
            pos = text.find(s.get("text", "\0"), cursor)
            if not s.get("text") or pos < 0:
                problems.append(f"{where}: sentence not found in order: {s.get('text')!r}")
            else:
                cursor = pos + len(s["text"])
            counts["role:" + str(s.get("role"))] += 1
        roles = [s.get("role") for s in row.get("sentences", []) or []]
        if roles and bool(row.get("threats")) != ("threat" in roles):
            marked = "some" if "threat" in roles else "no"
            problems.append(f"{where}: threats {row.get('threats')} but {marked} threat sentences")
        counts["emails"] += 1
        counts["tone:" + str(row.get("tone"))] += 1
        counts["with_roles"] += bool(row.get("sentences"))
        if not row.get("complaints"):
            counts["no_complaint"] += 1
        for c in row.get("complaints", []):
            counts["complaint:" + c] += 1
        for t in row.get("threats", []):
            counts["threat:" + t] += 1
    return problems


def main(argv: list[str]) -> int:
    """Validate the files named in argv and print label counts."""
    counts: Counter = Counter()
    seen: set[str] = set()
    problems = []
    for name in argv:
        problems += validate(Path(name), counts, seen)
    for key in sorted(counts):
        print(f"{key:28} {counts[key]}")
    for p in problems:
        print("PROBLEM", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
