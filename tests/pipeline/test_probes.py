"""The whole pipeline on 80 emails written apart from the corpus (`models/data/probes/`)."""

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from app.pipeline.types import COMPLAINTS
from app.training.data import load_corpus
from app.training.evaluate import label_set_scores

PROBES = sorted((Path(__file__).resolve().parents[2] / "models/data/probes").glob("*.jsonl"))
NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
LEADS = ("You asked us to ", "You asked: ", "You asked for the following: ", "You asked ")


@pytest.fixture(scope="module")
def drafted(tactful):
    examples = load_corpus(PROBES)
    readings = tactful.read_many([tactful.parse(e.text) for e in examples])
    return examples, tactful.draft_many(readings, now=NOW)


def test_there_are_80_probes_of_every_tone():
    examples = load_corpus(PROBES)
    assert len(examples) == 80
    assert {e.tone for e in examples} == {"calm", "frustrated", "angry", "abusive", "sarcastic"}


@pytest.mark.slow
def test_every_probe_draft_passes_the_guard(drafted):
    _, results = drafted
    failed = [(r.draft.body, [c.rule for c in r.draft.checks if not c.passed]) for r in results]
    assert [f for f in failed if f[1]] == []


@pytest.mark.slow
def test_restated_requests_say_something_whole(drafted):
    _, results = drafted
    for result in results:
        for request in result.detached.requests:
            lead = next(lead for lead in LEADS if request.text.startswith(lead))
            rest = request.text.removeprefix(lead)
            assert len(rest.split()) >= 2 and rest[-1] in ".?", request.text
            assert not re.match(r"(?:or|let's)\b", rest, re.I), request.text


@pytest.mark.slow
def test_the_model_reads_mail_written_apart_about_as_well_as_the_evaluation_split(drafted):
    examples, results = drafted
    tone = np.mean([r.analysis.tone == e.tone for r, e in zip(results, examples, strict=True)])
    complaints = label_set_scores(
        [r.analysis.complaints for r in results],
        [e.complaints or [] for e in examples],
        list(COMPLAINTS),
    )
    # measured 0.91 and 0.82 with the shipped model (the evaluation split: 0.94, 0.80)
    assert tone >= 0.86
    assert complaints["micro"]["f1"] >= 0.76
