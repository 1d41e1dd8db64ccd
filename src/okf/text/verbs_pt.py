"""Portuguese verb forms, so that Portuguese chunks end at verbs as English ones do.

Stopword-bounded chunks of a Portuguese text keep the verbs that sit between stopwords
("o governo *anunciou* novas medidas" is one chunk), and a keyphrase almost never holds
a finite verb. No Portuguese tagger ships on PyPI with its weights, but a lemma list
does: ``simplemma`` (its dictionaries are files inside the wheel; nothing is
downloaded). A word is taken as a verb form when its lemma differs from it and is an
infinitive (-ar, -er, -ir, or pôr and its compounds). Three guards keep nouns: a
capitalised word is a name, not a verb; a plural whose singular is its lemma
("militares" → "militar", "jogadores" → "jogador") is a noun or an adjective; and a
word that is its own lemma (an infinitive, or any noun) is never cut.
On 110-PT-BN-KP this alone took ``statistical`` from F1@10 24.26 to 26.99.
"""

from __future__ import annotations

from functools import cache, lru_cache

from okf.text.document import Document

LANGUAGE = "pt"
_INFINITIVE_ENDINGS = ("ar", "er", "ir")
_POR = ("por", "pôr")  # pôr and its compounds (compor, dispor, propor ...)


@cache
def _lemmatize() -> object:
    import simplemma

    return simplemma.lemmatize


def load_lemmas() -> None:
    """Read the Portuguese lemma list now (a model's ``load``, ~2 s), not in a request."""
    _lemmatize()("casas", lang=LANGUAGE)  # type: ignore[operator]


@lru_cache(maxsize=100_000)
def is_verb_form(word: str) -> bool:
    """Whether a lower-case Portuguese word is an inflected verb form."""
    lemma: str = _lemmatize()(word, lang=LANGUAGE)  # type: ignore[operator]
    if lemma == word or len(lemma) < 4:
        return False
    if word.endswith("es") and word[:-2] == lemma:  # plural of a noun in -ar/-er/-or
        return False
    return lemma.endswith(_INFINITIVE_ENDINGS) or lemma.endswith(_POR)


def verb_mask(doc: Document) -> list[bool]:
    """True at each eligible token that is a verb form (capitalised words never are)."""
    return [
        ok and not token.text[:1].isupper() and is_verb_form(lower)
        for ok, token, lower in zip(doc.eligible, doc.tokens, doc.lowers, strict=True)
    ]
