"""The lexicon: word n-grams weighted by TF-IDF, fitted on text, saved as JSON."""

import json

import numpy as np
import pytest

from app.pipeline.lexical import LEXICON_FILE, Lexicon, terms

TEXTS = [
    "Where is my refund? I asked for the refund twice.",
    "The invoice is wrong: the invoice lists hours we never agreed.",
    "Please send the refund and a corrected invoice.",
    "You called me at 11pm about the invoice. Not acceptable.",
    "Thanks for the files, all good.",
]


def test_terms_are_lower_case_words_and_word_pairs():
    assert terms("Where IS my refund?? a") == [
        "where",
        "is",
        "my",
        "refund",
        "where is",
        "is my",
        "my refund",
    ]
    assert terms("refund now", ngrams=1) == ["refund", "now"]


def test_fit_keeps_terms_found_in_enough_texts_commonest_first():
    lexicon = Lexicon.fit(TEXTS, max_terms=10, min_df=2)
    assert "invoice" in lexicon.terms and "refund" in lexicon.terms
    assert "twice" not in lexicon.terms  # in one text only
    assert lexicon.terms == sorted(lexicon.terms)
    assert Lexicon.fit(TEXTS, max_terms=1, min_df=1).terms == ["the"]  # the commonest
    # a rarer term weighs more
    assert lexicon.idf[lexicon.index["refund"]] > lexicon.idf[lexicon.index["the"]]


def test_transform_matches_scikit_learns_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    lexicon = Lexicon.fit(TEXTS, max_terms=1000, min_df=1)
    reference = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(TEXTS)
    assert lexicon.terms == sorted(reference.vocabulary_)
    columns = [reference.vocabulary_[t] for t in lexicon.terms]
    expected = reference.transform(TEXTS).toarray()[:, columns]
    np.testing.assert_allclose(lexicon.transform(TEXTS), expected, atol=1e-6)


def test_rows_have_unit_length_and_unknown_words_give_zeros():
    lexicon = Lexicon.fit(TEXTS, min_df=2)
    rows = lexicon.transform(["the refund and the invoice", "zebra xylophone", ""])
    assert rows.shape == (3, lexicon.size)
    assert np.linalg.norm(rows[0]) == pytest.approx(1.0, abs=1e-6)
    assert not rows[1].any() and not rows[2].any()


def test_save_and_load_round_trip(tmp_path):
    lexicon = Lexicon.fit(TEXTS, min_df=2)
    lexicon.save(tmp_path)
    loaded = Lexicon.load(tmp_path)
    assert loaded is not None and loaded.terms == lexicon.terms
    np.testing.assert_allclose(loaded.transform(TEXTS), lexicon.transform(TEXTS), atol=1e-6)
    assert Lexicon.load(tmp_path / "elsewhere") is None


def test_a_lexicon_file_with_a_weight_missing_is_refused(tmp_path):
    Lexicon.fit(TEXTS, min_df=2).save(tmp_path)
    data = json.loads((tmp_path / LEXICON_FILE).read_text())
    data["idf"] = data["idf"][:-1]
    (tmp_path / LEXICON_FILE).write_text(json.dumps(data))
    with pytest.raises(ValueError, match="weights"):
        Lexicon.load(tmp_path)


@pytest.mark.parametrize("ngrams", [1, 2, 3])
def test_leaving_a_sentence_out_equals_reading_the_rest(ngrams):
    from app.pipeline.segment import split_sentences

    text = (
        "Hi Sam,\n\nWhere is my refund? I asked for the refund twice, and the invoice "
        "still lists hours we never agreed.\n\nFix the invoice today. The refund first!\n\nDana"
    )
    lexicon = Lexicon.fit([*TEXTS, text], min_df=1, ngrams=ngrams)
    spans = [(s.start, s.end) for s in split_sentences(text)]
    assert len(spans) >= 4
    expected = lexicon.transform([text[:a] + text[b:] for a, b in spans])
    np.testing.assert_allclose(lexicon.without(text, spans), expected, atol=1e-6)
    assert lexicon.without("", []).shape == (0, lexicon.size)
