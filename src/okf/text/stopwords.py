"""Stopword lists for pt and en, from the maintained ``stopwordsiso`` package.

Stopwords bound candidate phrases, so a content noun wrongly listed as a stopword can
never be a keyword. stopwords-iso is a broad union of lists and contains a few such nouns
("computer", "system", "web", "page", "test", "AI", "sistema", "viagem"...);
:data:`REMOVED` takes them out, and :data:`ADDED` adds a few function words the lists
miss (contractions, transcripts' fillers). Everything else is the package's list unchanged.
"""

from __future__ import annotations

from functools import cache

import stopwordsiso


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


#: Content words removed from stopwords-iso: they are frequent topical nouns.
REMOVED: dict[str, frozenset[str]] = {
    "en": _words(
        """computer computers information system systems problem problems research
        length member members invention website webpage homepage microsoft netscape
        number numbers area areas interest interests effect section importance order
        orders point points group groups state states thing things
        web site page pages test text value index world line html shell width
        home room fire novel copy tv ai"""
    ),
    "pt": _words(
        """sistema estado viagem trabalho conselho grupo povo obra apoio valor área nível
        relação questão caminho direita lugar local nome número verdade noite
        tempo"""
    ),
}

#: Function words missing from stopwords-iso, and discourse words of papers and news
#: ("this paper proposes", "o artigo apresenta") that are never keywords themselves.
ADDED: dict[str, frozenset[str]] = {
    "en": _words(
        """'s thus via upon also within without yet paper papers article articles author
        authors describe describes discuss discusses discussed propose proposes proposed
        presents presented investigate investigates investigated considered"""
    ),
    "pt": _words(
        """pra pro pá portanto aliás pronto né ok sr sra dr lá cá ah eh hum
        sido tido feito vão vai está estão ser há disse artigo artigos autor autores
        apresenta apresentam propõe propomos descreve discute
        muita muitas várias vários algum alguma alguns algumas mim vamos etc aí ai"""
    ),
}


@cache
def stopwords(language: str) -> frozenset[str]:
    """The lowercase stopword set of ``language`` ("pt" or "en")."""
    base = {w.lower() for w in stopwordsiso.stopwords(language)}
    return frozenset((base - REMOVED[language]) | ADDED[language])


@cache
def exclusive_stopwords(language: str) -> frozenset[str]:
    """Stopwords of ``language`` that are not stopwords of the other served language."""
    other = "en" if language == "pt" else "pt"
    return stopwords(language) - stopwords(other)
