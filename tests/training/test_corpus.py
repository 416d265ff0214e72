"""The committed corpus: valid against its schema, large enough, and kept apart from eval."""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from app.pipeline.lexical import Lexicon
from app.pipeline.types import COMPLAINTS, THREAT_KINDS, TONES
from app.training.data import load_wording
from app.training.evaluate import read_second_reader
from tests.conftest import IN_CI

DATA = Path(__file__).resolve().parents[2] / "models" / "data"


def _validator():
    spec = importlib.util.spec_from_file_location("validate", DATA / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _count(split: str) -> tuple[Counter, list[str]]:
    validate, counts, seen, problems = _validator(), Counter(), set(), []
    for path in sorted((DATA / split).glob("*.jsonl")):
        problems += validate.validate(path, counts, seen)
    return counts, problems


NEAR_COPY = 0.5
"""TF-IDF cosine above which two emails share a situation and its wording (the closest
training and evaluation emails written apart reach about 0.43)."""


def _rows(split: str) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((DATA / split).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _texts(split: str) -> list[str]:
    return [row["text"] for row in _rows(split)]


def _nearest(texts: list[str], others: list[str]) -> list[float]:
    lexicon = Lexicon.fit(texts + others, max_terms=20000, min_df=2)
    return (lexicon.transform(texts) @ lexicon.transform(others).T).max(axis=1).tolist()


def test_training_corpus_meets_the_minimum_counts():
    counts, problems = _count("train")
    assert problems == []
    short = {
        **{f"complaint:{c}": 150 for c in COMPLAINTS},
        **{f"tone:{t}": 200 for t in TONES},
        **{f"threat:{k}": 60 for k in THREAT_KINDS},
        "no_complaint": 200,
        "with_roles": 300,
    }
    assert {k: counts[k] for k, least in short.items() if counts[k] < least} == {}


@pytest.mark.parametrize("written_for_training", ["train", "set-aside"])
def test_evaluation_split_is_valid_and_never_in_training(written_for_training):
    _, problems = _count("eval")
    assert problems == []
    _, problems = _count(written_for_training)
    assert problems == []

    def texts(split: str) -> set[str]:
        return {" ".join(text.lower().split()) for text in _texts(split)}

    assert texts("eval") and texts("eval").isdisjoint(texts(written_for_training))


@pytest.mark.parametrize("written_apart", ["probes", "fresh-mail", "fresh-mail-2"])
def test_mail_written_apart_is_valid_and_never_in_training(written_apart):
    _, problems = _count(written_apart)
    assert problems == []
    apart = {" ".join(text.lower().split()) for text in _texts(written_apart)}
    trained = {" ".join(text.lower().split()) for text in _texts("train") + _texts("set-aside")}
    assert apart and apart.isdisjoint(trained)


def test_nearest_detects_a_paraphrase():
    eval_texts = _texts("eval")[:50]
    original = eval_texts[7]
    paraphrase = original.replace(".", "!", 1) + " Thanks."
    unrelated = "Could we move Thursday's call to Friday at ten? Nothing urgent."
    close, far = _nearest([paraphrase, unrelated], eval_texts)
    assert close > NEAR_COPY > far


@pytest.mark.parametrize("written_for_training", ["train", "set-aside"])
@pytest.mark.parametrize("test_split", ["eval", "fresh-mail-2"])
def test_no_training_email_is_a_near_copy_of_a_test_email(written_for_training, test_split):
    train = _texts(written_for_training)
    nearest = _nearest(train, _texts(test_split))
    assert [t[:60] for t, s in zip(train, nearest, strict=True) if s >= NEAR_COPY] == []


def _ids(split: str) -> list[str]:
    return [row["id"] for row in _rows(split)]


@pytest.mark.parametrize(
    ("name", "split", "emails"),
    [
        ("eval-sample", "eval", 120),
        ("train-reread", "train", 1504),
        ("train-reread-2", "train", 416),
        ("fresh-sample", "fresh-mail", 60),
        ("fresh-2-reread", "fresh-mail-2", 60),
    ],
)
def test_second_readings_are_valid_and_cover_their_split(name, split, emails):
    reader = read_second_reader(DATA / "second-reader" / f"{name}.jsonl", COMPLAINTS)
    assert len(reader) == emails
    assert set(reader) <= set(_ids(split))


REAL = DATA.parents[2] / "shared" / "data" / "real"
WORDING_NEAR_COPY = 0.9
"""TF-IDF cosine above which a wording message of 8 words or more copies another text (the
closest real message to any of them is at about 0.8, through a shared stock phrase)."""


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def test_wording_corpus_is_valid_balanced_and_without_repeats():
    rows = load_wording(DATA / "wording")
    assert len(rows) >= 1500
    assert 0.4 < sum(r.hostility for r in rows) / len(rows) < 0.6
    assert len({r.id for r in rows}) == len(rows)
    assert len({_normal(r.text) for r in rows}) == len(rows)


def test_wording_corpus_copies_no_real_message_and_no_evaluation_email():
    if not REAL.exists():
        assert not IN_CI, "CI runs with ../shared beside the repository"
        pytest.skip("../shared/data/real is not beside the repository")
    wording = [r.text for r in load_wording(DATA / "wording")]
    real = [
        json.loads(line)["text"]
        for path in sorted(REAL.glob("*/dev.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert {_normal(t) for t in wording}.isdisjoint(_normal(t) for t in real)
    wording = [t for t in wording if len(t.split()) >= 8]
    nearest = _nearest(wording, real)
    assert [t for t, s in zip(wording, nearest, strict=True) if s >= WORDING_NEAR_COPY] == []
    nearest = _nearest(wording, _texts("eval"))
    assert [t for t, s in zip(wording, nearest, strict=True) if s >= NEAR_COPY] == []


def _check(name: str) -> list[dict]:
    """The label changes a check recorded in `checks/<name>.jsonl`."""
    lines = (DATA / "checks" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_the_money_check_is_applied_to_the_training_and_set_aside_emails():
    set_aside = {row["id"]: row for row in _rows("set-aside")}
    rows = {row["id"]: row for row in _rows("train")} | set_aside
    changes = _check("money")
    assert len(changes) > 100
    assert any(change["id"] in set_aside for change in changes)
    for change in changes:
        row = rows[change["id"]]
        assert (row["complaints"], row["threats"]) == (change["complaints"], change["threats"])
        for index, (_, after) in change["roles"].items():
            assert row["sentences"][int(index)]["role"] == after


def test_the_tone_check_proposes_what_the_blind_re_readers_say_and_is_not_applied():
    rows = {row["id"]: row for row in _rows("train")}
    changes = _check("tone-proposed")
    rereads = {
        **read_second_reader(DATA / "second-reader" / "train-reread.jsonl", COMPLAINTS),
        **read_second_reader(DATA / "second-reader" / "train-reread-2.jsonl", COMPLAINTS),
    }
    assert len(changes) == 170
    for change in changes:
        assert (change["tone_before"], change["tone"]) == ("frustrated", "calm")
        assert rereads[change["id"]].tone == "calm", change["id"]
        assert rows[change["id"]]["tone"] == "frustrated", change["id"]


def test_the_wide_round_corpus_is_train_relabelled_plus_the_wide_files(tmp_path):
    spec = importlib.util.spec_from_file_location("wide_corpus", DATA / "wide_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build(tmp_path) == {"emails": 1920 + 497, "relabelled": 170}
    built = {
        row["id"]: row
        for path in tmp_path.glob("*.jsonl")
        for row in map(json.loads, path.read_text("utf-8").splitlines())
    }
    train = {row["id"]: row for row in _rows("train")}
    changed = {i for i in train if built[i]["tone"] != train[i]["tone"]}
    assert len(changed) == 170 and {built[i]["tone"] for i in changed} == {"calm"}
    assert sum(i.startswith("wr-") for i in built) == 497
    assert module.main([]) == 2


def test_threat_labels_and_threat_sentences_must_agree(tmp_path):
    row = {
        "id": "tr-x-0001",
        "text": "I want a manager to call me today.",
        "tone": "angry",
        "complaints": [],
        "threats": ["escalation"],
        "sentences": [{"text": "I want a manager to call me today.", "role": "request"}],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    problems = _validator().validate(path, Counter(), set())
    assert problems == [f"{path}:1: threats ['escalation'] but no threat sentences"]
    row["sentences"][0]["role"] = "threat"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert _validator().validate(path, Counter(), set()) == []


def test_labels_outside_the_contract_are_rejected(tmp_path):
    row = {
        "id": "tr-x-0002",
        "text": "Late again.",
        "tone": "furious",
        "complaints": ["lateness"],
        "threats": ["lawsuit"],
        "sentences": [{"text": "Late again.", "role": "threat"}],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert _validator().validate(path, Counter(), set()) == [
        f"{path}:1: bad tone 'furious'",
        f"{path}:1: bad complaint 'lateness'",
        f"{path}:1: bad threat 'lawsuit'",
    ]
