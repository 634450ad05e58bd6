"""Search the document base: the clause that best answers a question, with its citation.

Retrieval units are clauses and, inside a clause, each point or further paragraph together
with the clause's lead sentence; every unit also carries its article title, which is the
best summary of what the unit is about. An article scores as its best unit (BM25 with low
saturation and full length normalization, measured on the development questions).

Re-ranking then works on the best articles: a law named in the question (``theo Luật Giáo
dục``) lifts that law's articles and is taken out of the query words, ``Điều 6`` next to a
named law lifts that article, and a document in force ranks above an amended or replaced one
that matches as well. The reported score is a bounded confidence for the threshold: the
IDF-weighted share of the question found in the chosen unit, damped for questions that carry
little evidence (one or two common words).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from knowledge.core import ArticleHit
from knowledge.documents.confidence import Confidence, content_keys
from knowledge.documents.excerpt import excerpt
from knowledge.documents.status import rank_factor, status_note
from knowledge.documents.structure import Article, LegalDocument
from knowledge.lexical import Bm25Params, IndexBuilder, SparseIndex
from knowledge.normalize import normalize as default_normalize

logger = logging.getLogger(__name__)

_ARTICLE_REF_RE = re.compile(r"(?<![a-z0-9])dieu (\d+[a-z]?)(?![a-z0-9])")


@dataclass(frozen=True)
class SearchParams:
    """Tunable constants; the defaults were chosen on the tuning half of the dev questions."""

    bm25: Bm25Params = field(default_factory=lambda: Bm25Params(k1=0.6, b=1.0))
    law_boost: float = 0.3
    article_boost: float = 2.0
    candidates: int = 200
    budget: int = 100_000
    # Matched IDF weight that counts as full evidence, in units of the rarest term's IDF
    # (about two rare words), so that it means the same for 10 articles or 100,000.
    evidence: float = 2.25
    correct_typos: bool = True


@dataclass(frozen=True)
class RankedArticle:
    """An article in a ranking, with the unit that matched best."""

    article: int
    unit: int
    score: float
    confidence: float
    opening: bool = False


class DocumentIndex:
    """The searchable document base; implements ``knowledge.core.DocumentSearch``."""

    def __init__(
        self,
        documents: Sequence[LegalDocument],
        params: SearchParams | None = None,
        normalize: Callable[[str], str] = default_normalize,
    ) -> None:
        """Index every article of the given documents."""
        self.params = params or SearchParams()
        self.normalize = normalize
        self.documents = list(documents)
        self.articles: list[Article] = []
        article_doc: list[int] = []
        unit_owner: list[tuple[int, int, int]] = []
        builder = IndexBuilder()

        for d, document in enumerate(self.documents):
            for article in document.articles:
                position = len(self.articles)
                self.articles.append(article)
                article_doc.append(d)
                title = normalize(article.title).split()
                if not article.clauses:
                    builder.add(title)
                    unit_owner.append((position, -1, 0))
                for c, clause in enumerate(article.clauses):
                    lines = clause.lines or [""]
                    lead = title + normalize(lines[0]).split()
                    builder.add(lead)
                    unit_owner.append((position, c, 0))
                    for n, line in enumerate(lines[1:], start=1):
                        builder.add(lead + normalize(line).split())
                        unit_owner.append((position, c, n))

        self.index: SparseIndex = builder.build(self.params.bm25)
        owners = np.array(unit_owner, dtype=np.int32).reshape(-1, 3)
        self.unit_article = owners[:, 0]
        self.unit_clause = owners[:, 1]
        self.unit_line = owners[:, 2]
        self.article_doc = np.array(article_doc, dtype=np.int32)
        factors = [rank_factor(d.meta, self.documents) for d in self.documents]
        self.article_factor = np.array(factors, dtype=np.float32)[self.article_doc]
        self._article_at = {
            (int(d), a.number): i
            for i, (d, a) in enumerate(zip(article_doc, self.articles, strict=True))
        }
        self._laws, self._law_re = self._law_names()
        logger.info(
            "Document index built: %d documents, %d articles, %d units",
            len(self.documents),
            len(self.articles),
            self.index.size,
        )

    def _law_names(self) -> tuple[dict[str, list[int]], re.Pattern[str] | None]:
        names: dict[str, list[int]] = {}
        for d, document in enumerate(self.documents):
            folded = self.normalize(document.meta.name)
            variants = {folded, self.normalize(document.meta.number)}
            if folded.startswith("bo luat "):
                variants.add(folded[3:])
            for variant in variants:
                if len(variant) >= 6:
                    names.setdefault(variant, []).append(d)
        if not names:
            return names, None
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"(?<![a-z0-9])({alternatives})(?:(?: nam)? \d{{4}})?(?![a-z0-9])")
        return names, pattern

    def _first_unit(self, article: int) -> int:
        return int(np.searchsorted(self.unit_article, article))

    @property
    def size(self) -> int:
        """Number of indexed articles."""
        return len(self.articles)

    # Ranking ----------------------------------------------------------------------------

    def _named_laws(self, key: str) -> tuple[set[int], str]:
        if self._law_re is None:
            return set(), key
        laws: set[int] = set()
        for match in self._law_re.finditer(key):
            laws.update(self._laws[match.group(1)])
        return laws, self._law_re.sub(" ", key) if laws else key

    def rank(self, text: str, limit: int = 10) -> list[RankedArticle]:
        """The best articles for a question, best first."""
        params = self.params
        laws, key = self._named_laws(self.normalize(text))
        references = _ARTICLE_REF_RE.findall(key) if laws else []
        if references:
            key = _ARTICLE_REF_RE.sub(" ", key)
        typed = key.split()
        words = self.index.correct(typed) if params.correct_typos else typed
        keys, _ = self.index.query_keys(words)
        terms, _ = self.index.lookup(keys)
        units, scores = self.index.top_units(terms, params.candidates, params.budget)
        articles, best_units, article_scores = self._by_article(units, scores)

        # Re-ranking: the named law, the cited article, then the document's status.
        top = float(article_scores.max(initial=0.0)) or 1.0
        if laws:
            named = np.isin(self.article_doc[articles], sorted(laws))
            article_scores[named] += params.law_boost * top
        cited = {p for r in references for law in laws if (p := self._article_at.get((law, r)))}
        for position in cited:
            hit = np.flatnonzero(articles == position)
            if not len(hit):
                articles = np.append(articles, position)
                best_units = np.append(best_units, self._first_unit(position))
                article_scores = np.append(article_scores, 0.0)
                hit = np.array([len(articles) - 1])
            article_scores[hit] += params.article_boost * top
        if not len(articles):
            return []
        article_scores = article_scores * self.article_factor[articles]

        k = min(limit, len(articles))
        best = np.argpartition(-article_scores, k - 1)[:k]
        best = best[np.argsort(-article_scores[best], kind="stable")]
        corrected = [a != b for a, b in zip(words, typed, strict=True)]
        # Which clause to show is decided by what the question is about, not by the words
        # every question has: "có" in "Viên chức có những nghĩa vụ gì" picked a clause
        # that only shares "có" with it, where the article from its beginning is the answer.
        question = content_keys(self.index, words)
        evidence = Confidence(self.index, words, corrected, text, params.evidence)
        ranked: list[RankedArticle] = []
        ceiling = 100.0
        for i in best.tolist():
            article = int(articles[i])
            unit, opening = self._display_unit(article, question, int(best_units[i]))
            pieces = self.unit_pieces(unit)
            indexed = [w for piece in pieces for w in self.normalize(piece).split()]
            # Asked for by number ("Điều 6 Luật Tiếp cận thông tin"): that is the answer.
            sure = 100.0 if article in cited else evidence.score(indexed, "\n".join(pieces))
            ceiling = min(ceiling, sure)
            ranked.append(RankedArticle(article, unit, float(article_scores[i]), ceiling, opening))
        return ranked

    def _display_unit(self, article: int, question: set[int], best: int) -> tuple[int, bool]:
        """The unit to show: the best unit if its own text (not the title) matches.

        BM25 favours short units, and every unit carries the title, so the best unit can be a
        short clause that only shares the title with the question ("Hành vi khác…"). Then the
        unit whose own text matches most is shown, or, when the title alone explains the
        match, the article from its beginning.
        """
        start = int(np.searchsorted(self.unit_article, article, "left"))
        end = int(np.searchsorted(self.unit_article, article, "right"))
        if end - start <= 1:
            return best, False
        title = self.index.key_set(self.normalize(self.articles[article].title).split())
        wanted = question - title
        if wanted & self._body_keys(best):
            return best, False
        # Every unit of the article carries the title, so a question term found in a unit
        # but not in the title comes from the unit's own text.
        index = self.index
        terms, _ = index.lookup(np.array(sorted(wanted), dtype=np.int64))
        weights = np.zeros(end - start, dtype=np.float32)
        for term in terms.tolist():
            postings = index.units[index.offsets[term] : index.offsets[term + 1]]
            low, high = np.searchsorted(postings, (start, end))
            weights[postings[low:high] - start] += index.idf[term]
        if float(weights.max()) <= 0.0:
            return start, True
        return start + int(np.argmax(weights)), False

    def _body_keys(self, unit: int) -> set[int]:
        pieces = self.unit_pieces(unit)[1:]
        return self.index.key_set([w for piece in pieces for w in self.normalize(piece).split()])

    def _by_article(
        self, units: np.ndarray, scores: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not len(units):
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty, np.zeros(0, dtype=np.float32)
        owners = self.unit_article[units]
        order = np.lexsort((-scores, owners))
        owners, units, scores = owners[order], units[order], scores[order]
        first = np.r_[True, owners[1:] != owners[:-1]]
        return owners[first], units[first], scores[first].astype(np.float32)

    def unit_pieces(self, unit: int) -> list[str]:
        """The texts a unit was indexed from: title, clause lead and the matched line."""
        article = self.articles[int(self.unit_article[unit])]
        clause, line = int(self.unit_clause[unit]), int(self.unit_line[unit])
        if clause < 0:
            return [article.title]
        lines = article.clauses[clause].lines or [""]
        return [article.title, lines[0]] + ([lines[line]] if line > 0 else [])

    # The dialog's view ------------------------------------------------------------------

    def hit(self, ranked: RankedArticle, today: date | None = None) -> ArticleHit:
        """A ranked article as the clause to show, with its citation and status note."""
        article = self.articles[ranked.article]
        meta = self.documents[int(self.article_doc[ranked.article])].meta
        clause, text = excerpt(
            article,
            int(self.unit_clause[ranked.unit]),
            int(self.unit_line[ranked.unit]),
            ranked.opening,
        )
        return ArticleHit(
            document=meta.name,
            number=meta.number,
            article=article.number,
            article_title=article.title,
            clause=clause,
            text=text,
            score=ranked.confidence,
            status=meta.status,
            status_note=status_note(meta, today),
        )

    def search(self, text: str, limit: int = 5) -> list[ArticleHit]:
        """Best clauses for a question, best first, scores on 0-100."""
        return [self.hit(r) for r in self.rank(text, limit)]
