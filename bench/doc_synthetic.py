"""A synthetic legal corpus of any size, for speed and memory measurements.

Articles copy the shape of real ones (number of clauses and points, their lengths) and are
filled with text from a first-order Markov chain over the normalized syllables of the real
corpus, so syllable and syllable-pair frequencies, and with them posting-list lengths, are
realistic. The text is already in matching form (folded, lowercase), which the normalizer
leaves unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from knowledge.documents.structure import Article, Clause, DocumentMeta, LegalDocument
from knowledge.normalize import normalize

ARTICLES_PER_DOCUMENT = 1000
CHAINS = 20_000


class SyllableChain:
    """Samples syllable streams with the bigram statistics of a corpus."""

    def __init__(self, texts: Sequence[str], seed: int = 7) -> None:
        vocabulary: dict[str, int] = {}
        stream = [vocabulary.setdefault(w, len(vocabulary)) for t in texts for w in t.split()]
        self.words = np.array(list(vocabulary), dtype=object)
        ids = np.array(stream, dtype=np.int64)
        order = np.argsort(ids[:-1], kind="stable")
        self.successors = ids[1:][order]
        self.start = np.searchsorted(ids[:-1][order], np.arange(len(vocabulary)))
        self.count = np.bincount(ids[:-1], minlength=len(vocabulary))
        self.rng = np.random.default_rng(seed)

    def sample(self, total: int) -> list[str]:
        """About ``total`` syllables, as many parallel chains laid end to end."""
        steps = max(1, total // CHAINS + 1)
        current = self.rng.integers(0, len(self.words), CHAINS)
        out = np.empty((steps, CHAINS), dtype=np.int64)
        for step in range(steps):
            count = self.count[current]
            dead = count == 0
            current[dead] = self.rng.integers(0, len(self.words), int(dead.sum()))
            count = self.count[current]
            offset = (self.rng.random(CHAINS) * count).astype(np.int64)
            current = self.successors[self.start[current] + offset]
            out[step] = current
        return list(self.words[out.T.ravel()[:total]])


def _shape(article: Article) -> list[list[int]]:
    """Word counts of the title, then of each clause's lines."""
    shape = [[len(normalize(article.title).split())]]
    for clause in article.clauses:
        shape.append([max(1, len(normalize(line).split())) for line in clause.lines or [""]])
    return shape


def synthetic_documents(
    real: Sequence[LegalDocument], articles: int, seed: int = 7
) -> list[LegalDocument]:
    """``articles`` synthetic articles shaped like random real ones, in documents of 1,000."""
    templates = [a for d in real for a in d.articles]
    texts = [normalize(f"{a.title}\n{a.text}") for a in templates]
    chain = SyllableChain(texts, seed)
    picker = random.Random(seed)
    shapes = [_shape(picker.choice(templates)) for _ in range(articles)]
    words = iter(chain.sample(sum(n for shape in shapes for line in shape for n in line)))

    def take(n: int) -> str:
        return " ".join(next(words) for _ in range(n))

    documents: list[LegalDocument] = []
    built: list[Article] = []
    for number, shape in enumerate(shapes, start=1):
        title = take(shape[0][0])
        clauses = tuple(
            Clause(str(c), "\n".join(take(n) for n in lines))
            for c, lines in enumerate(shape[1:], start=1)
        )
        built.append(Article(str(len(built) + 1), title, clauses))
        if len(built) == ARTICLES_PER_DOCUMENT or number == articles:
            index = len(documents) + 1
            meta = DocumentMeta(name=f"Văn bản tổng hợp {index}", number=f"{index}/2099/TH")
            documents.append(LegalDocument(meta, tuple(built)))
            built = []
    return documents
