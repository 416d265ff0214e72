"""The encoder: offsets, windows for long texts, one pass for message and sentences."""

import numpy as np

from app.pipeline.encoder import MAX_LENGTH
from app.pipeline.features import SURFACE_SIZE, featurize, surface_features


def test_offsets_point_into_the_text(classifier):
    text = "Invoice 2024-117 is unpaid. Pay it by Friday!"
    (enc,) = classifier.encoder.encode([text])
    assert enc.states.shape == (len(enc.offsets), 384)
    pieces = [text[a:b].lower() for a, b in enc.offsets]
    assert "".join(pieces).startswith("invoice2024")
    assert "friday" in pieces
    assert all(a < b for (a, _), (b, _) in zip(enc.offsets, enc.offsets[1:], strict=False))


def test_long_text_is_windowed_not_cut(classifier):
    text = " ".join(f"word{i % 50}" for i in range(900))
    (enc,) = classifier.encoder.encode([text])
    assert len(enc.offsets) > 2 * MAX_LENGTH
    assert enc.offsets[-1][1] == len(text)
    assert np.isfinite(enc.states).all()
    assert np.abs(enc.states[-1]).sum() > 0


def test_batching_does_not_change_results(classifier):
    texts = ["short one", "a much longer message about the invoice that is still not paid " * 5]
    together = classifier.encoder.encode(texts, batch_size=2)
    alone = [classifier.encoder.encode([t])[0] for t in texts]
    for a, b in zip(together, alone, strict=True):
        assert np.allclose(a.states, b.states, atol=1e-4)


def test_sentence_vectors_come_from_the_same_pass(classifier):
    text = "Hello there. You are useless."
    (enc,) = classifier.encoder.encode([text])
    feats = featurize(enc, [(0, 12), (13, len(text))], text)
    assert feats.message.shape == (768 + SURFACE_SIZE,)
    assert feats.sentences.shape == (2, 768 + SURFACE_SIZE)
    assert not np.allclose(feats.sentence_vectors[0], feats.sentence_vectors[1])


def test_surface_features_see_what_the_uncased_encoder_cannot():
    shouting = surface_features("WHERE IS MY REFUND?? Fix it NOW!!")
    calm = surface_features("Where is my refund? Could you fix it, please.")
    assert shouting[0] > 0.5 and calm[0] == 0
    assert shouting[3] == 1 and calm[3] == 0


def test_short_windows_are_not_padded_to_a_long_message(classifier):
    message = "The invoice for order 4821 is wrong and nobody has answered my emails. " * 4
    sentences = ["Thanks.", "The invoice is due on 3 March.", "We will call you on Friday."]
    tokens = classifier.encoder.tokens
    _, windows = tokens.tokenize([message, *sentences])
    batches = tokens.batches(windows, batch_size=16)
    assert [w.text_index for w in batches[0]] == [0]
    assert sorted(w.text_index for b in batches[1:] for w in b) == [1, 2, 3]
    for batch in batches:
        width = max(len(w.ids) for w in batch)
        assert all(2 * len(w.ids) >= width for w in batch)
    many = tokens.batches(tokens.tokenize(sentences * 6)[1], batch_size=4)
    assert all(len(b) <= 4 for b in many) and sum(len(b) for b in many) == 18
