"""Heads save, load and predict like a SetFit-style model folder."""

import json

import numpy as np
import pytest

from app.pipeline.heads import Head, TactfulHeads


def _linear(rng: np.random.Generator, inputs: int, outputs: int, prefix: str = "") -> dict:
    """Standardisation and weights of one linear part, named as `Head.params` names them."""
    return {
        f"{prefix}mean": np.zeros(inputs),
        f"{prefix}scale": np.ones(inputs),
        f"{prefix}w": rng.normal(size=(inputs, outputs)),
        f"{prefix}b": np.zeros(outputs),
    }


def _heads() -> TactfulHeads:
    params = _linear(np.random.default_rng(0), 4, 3)
    tone = Head("tone", "softmax", "message", ["a", "b", "c"], params, temperature=2.0)
    multi = Head("complaints", "sigmoid", "message", ["x", "y", "z"], dict(params))
    return TactfulHeads(
        {"tone": tone, "complaints": multi},
        thresholds={"complaints": {"x": 0.0, "y": 1.0, "z": 0.5}},
        config={"seed": 1},
    )


def test_round_trip(tmp_path):
    heads = _heads()
    heads.save_pretrained(tmp_path)
    loaded = TactfulHeads.from_pretrained(tmp_path)
    x = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    assert np.allclose(loaded.predict_proba("tone", x), heads.predict_proba("tone", x), atol=1e-5)
    assert json.loads((tmp_path / "label_map.json").read_text())["tone"]["labels"] == [
        "a",
        "b",
        "c",
    ]
    assert loaded.config == {"seed": 1}


def test_softmax_sums_to_one_and_thresholds_decide():
    heads = _heads()
    x = np.ones((2, 4), np.float32)
    assert np.allclose(heads.predict_proba("tone", x).sum(axis=1), 1.0)
    labels = heads.predict("complaints", x)
    assert all("x" in row and "y" not in row for row in labels)


def test_missing_folder_says_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="tactful train"):
        TactfulHeads.from_pretrained(tmp_path)


@pytest.mark.parametrize("name", ["tone", "complaints"])
def test_log_odds_match_the_probabilities(name):
    head = _heads()[name]
    x = np.random.default_rng(2).normal(size=(6, 4))
    p = head.predict_proba(x)
    np.testing.assert_allclose(head.log_odds(x), np.log(p / (1 - p)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", ["softmax", "sigmoid"])
def test_log_odds_still_rank_where_probabilities_round_to_one(kind):
    params = {"mean": np.zeros(4), "scale": np.ones(4), "w": np.eye(4, 3), "b": np.zeros(3)}
    head = Head("h", kind, "message", ["a", "b", "c"], params, temperature=2.0)
    x = np.array([[100.0, 0, 0, 0], [200.0, 0, 0, 0]])
    assert np.all(head.predict_proba(x)[:, 0] == 1.0)
    sure, surer = head.log_odds(x)[:, 0]
    assert np.isfinite(surer) and surer > sure > 40


def _sentence_head() -> Head:
    rng = np.random.default_rng(3)
    params = {**_linear(rng, 4, 2), **_linear(rng, 3, 2, "sentence_")}
    return Head("complaints", "sigmoid", "message", ["x", "y"], params)


def test_a_sentence_reading_head_adds_its_strongest_sentence():
    head = _sentence_head()
    x = np.ones((1, 4))
    sentences = np.random.default_rng(4).normal(size=(5, 3))
    peaks = head.peaks([sentences])
    np.testing.assert_allclose(peaks[0], (sentences @ head.params["sentence_w"]).max(axis=0))
    np.testing.assert_allclose(head.logits(x, peaks), head.logits(x) + peaks)
    assert not _heads()["complaints"].reads_sentences
    assert _heads()["complaints"].peaks([sentences]) is None


def test_sentence_part_survives_the_round_trip(tmp_path):
    head = _sentence_head()
    TactfulHeads({"complaints": head}).save_pretrained(tmp_path)
    loaded = TactfulHeads.from_pretrained(tmp_path)["complaints"]
    sentences = np.random.default_rng(5).normal(size=(3, 3))
    assert loaded.reads_sentences
    np.testing.assert_allclose(loaded.peaks([sentences]), head.peaks([sentences]), rtol=1e-5)


def test_a_head_fitted_on_leading_columns_reads_only_those():
    head = Head("h", "sigmoid", "message", ["x"], _linear(np.random.default_rng(6), 3, 1))
    narrow = np.random.default_rng(7).normal(size=(4, 3))
    wide = np.hstack([narrow, np.full((4, 5), 1e3)])
    np.testing.assert_allclose(head.logits(wide), head.logits(narrow))
    assert not np.allclose(head.logits(narrow + 1.0), head.logits(narrow))
