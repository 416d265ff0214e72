"""Write the wide round's training corpus: python models/data/wide_corpus.py OUT_DIR

`train/*.jsonl` with the tone check (`checks/tone-proposed.jsonl`) applied, plus the wide
round (`set-aside/wide-*.jsonl`). Then: tactful train --corpus OUT_DIR --out MODEL_DIR.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent


def build(out: Path, data: Path = DATA) -> dict[str, int]:
    """Write the corpus into `out`; return how many emails were written and relabelled."""
    changes = {
        row["id"]: row
        for line in (data / "checks" / "tone-proposed.jsonl").read_text("utf-8").splitlines()
        if line.strip() and (row := json.loads(line))
    }
    out.mkdir(parents=True, exist_ok=True)
    counts = {"emails": 0, "relabelled": 0}
    files = sorted((data / "train").glob("*.jsonl")) + sorted(
        (data / "set-aside").glob("wide-*.jsonl")
    )
    for path in files:
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        for row in rows:
            change = changes.get(row["id"])
            if change:
                if row["tone"] != change["tone_before"]:
                    before = change["tone_before"]
                    raise ValueError(f"{row['id']}: tone {row['tone']}, not {before}")
                row["tone"] = change["tone"]
                counts["relabelled"] += 1
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        (out / path.name).write_text(text, encoding="utf-8")
        counts["emails"] += len(rows)
    if counts["relabelled"] != len(changes):
        raise ValueError(f"{len(changes) - counts['relabelled']} tone changes found no email")
    return counts


def main(argv: list[str]) -> int:
    """Build the corpus into the folder named in argv."""
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        counts = build(Path(argv[0]))
    except (OSError, ValueError) as exc:
        print(f"wide_corpus: {exc}", file=sys.stderr)
        return 2
    print(f"{counts['emails']} emails, {counts['relabelled']} relabelled calm, in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
