"""The whole pipeline on 235 emails written apart from everything: the 150 plain-text ones
of `models/data/fresh-mail/` and the 60 of `models/data/fresh-mail-2/` (labelled blind), and
25 raw `.eml` files in `tests/fixtures/fresh-mail/`."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from app.pipeline.types import COMPLAINTS
from app.training.evaluate import label_set_scores, prf

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "models" / "data"
LABELLED = (DATA / "fresh-mail" / "fresh-mail.jsonl", DATA / "fresh-mail-2" / "fresh-mail-2.jsonl")
RAW = ROOT / "tests" / "fixtures" / "fresh-mail"
NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
LEADS = (
    "You asked us not to ",
    "You asked us to ",
    "You asked: ",
    "You asked for the following: ",
    "You asked for ",
    "You asked whether ",
    "You asked why ",
    "You asked that, ",
    "You asked ",
    "You suggested that we ",
)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _messages(tactful) -> tuple[list[str], list]:
    rows = [row for path in LABELLED for row in _rows(path)]
    names = [row["id"] for row in rows]
    messages = [tactful.parse(row["text"], subject=row["subject"]) for row in rows]
    for path in sorted(RAW.glob("*.eml")):
        names.append(path.name)
        messages.append(tactful.parse(path.read_bytes()))
    return names, messages


@pytest.fixture(scope="module")
def drafted(tactful):
    names, messages = _messages(tactful)
    return names, tactful.draft_many(tactful.read_many(messages), now=NOW)


def test_there_are_210_labelled_emails_and_25_raw_ones():
    first, second = (_rows(path) for path in LABELLED)
    assert len(first) == 150 and len(second) == 60 and len(list(RAW.glob("*.eml"))) == 25
    assert {row["id"][3] for row in first} == set("abcdf")
    assert {row["id"][:4] for row in second} == {"fm2-"}


@pytest.mark.slow
def test_every_draft_passes_the_guard(drafted):
    names, results = drafted
    failed = {
        name: [c.rule for c in r.draft.checks if not c.passed]
        for name, r in zip(names, results, strict=True)
    }
    assert {name: rules for name, rules in failed.items() if rules} == {}


@pytest.mark.slow
def test_restated_text_is_whole_and_clean(drafted):
    _, results = drafted
    for result in results:
        d = result.detached
        for item in d.requests + d.facts + d.threats:
            text = item.text
            assert "\n" not in text and "&nbsp" not in text and "cid:" not in text, text
            assert not re.search(r"\*\w|\b(?:we|us) lot\b|\bhi\b|\byou\.e\.", text, re.I), text
            assert not re.search(r"\b(?:a|an|the|some|complete|absolute)\s*[.,]$", text), text
        for request in d.requests:
            lead = next((lead for lead in LEADS if request.text.startswith(lead)), None)
            assert lead, request.text
            rest = request.text.removeprefix(lead)
            assert len(rest.split()) >= 2 and rest[-1] in ".?", request.text
            assert not re.search(r"(?:,|\bor|\band)\.$", rest), request.text


@pytest.mark.slow
def test_a_reference_is_named_once_and_a_signed_message_is_greeted_by_name(drafted):
    names, results = drafted
    for name, result in zip(names, results, strict=True):
        body = result.draft.body
        assert not re.search(r"\(([^,()]+), \1\)", body), name
        if result.reading.message.sender_name:
            assert not body.startswith("Hello,"), name
    greeted = sum(not r.draft.body.startswith("Hello,") for r in results)
    assert greeted >= 175  # 181 of the 235 when this was written; most others sign with nothing


FLOORS = {
    # measured when the blind readers' labels came in (parsed mail): 0.747, 0.741 and 0.817
    LABELLED[0]: (0.70, 0.70, 0.78),
    # measured when they came in: 0.917, 0.769 and 0.878
    LABELLED[1]: (0.88, 0.73, 0.83),
}


@pytest.mark.slow
@pytest.mark.parametrize("path", LABELLED, ids=lambda path: path.parent.name)
def test_the_model_reads_fresh_mail_no_worse_than_when_it_was_labelled(drafted, path):
    rows = _rows(path)
    _, results = drafted
    start = sum(len(_rows(p)) for p in LABELLED[: LABELLED.index(path)])
    analyses = [r.analysis for r in results[start : start + len(rows)]]
    tone = np.mean([a.tone == row["tone"] for a, row in zip(analyses, rows, strict=True)])
    complaints = label_set_scores(
        [a.complaints for a in analyses], [row["complaints"] for row in rows], list(COMPLAINTS)
    )
    threat = prf(
        np.array([a.threat_present for a in analyses]),
        np.array([bool(row["threats"]) for row in rows]),
    )
    least_tone, least_complaints, least_threat = FLOORS[path]
    assert tone >= least_tone
    assert complaints["micro"]["f1"] >= least_complaints
    assert threat["f1"] >= least_threat
