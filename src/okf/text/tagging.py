"""English part-of-speech tags and noun-phrase chunks, for the models that can afford them.

Gold keyphrases are overwhelmingly noun phrases; stopword-bounded chunks also keep the
verbs and adverbs that sit between stopwords ("we *propose* efficient algorithms").
A tagger fixes that. The one used is the Brill-style lexicon tagger that ``textblob``
ships (its lexicon, morphology and context rules are files inside the package: no
download), at ~0.5 ms per abstract, about as long as the whole ``statistical`` model,
so only ``omni`` uses it. Without textblob, callers fall back to :func:`chunks`.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from okf.text.candidates import chunks, runs
from okf.text.document import Document
from okf.text.junk import lexicon_table

#: Tags a noun phrase may end with, and tags that may modify its head.
NOUNS = frozenset({"NN", "NNS", "NNP", "NNPS", "FW"})
MODIFIERS = frozenset({"JJ", "JJR", "JJS", "VBN", "VBG", "CD"})


@cache  # asked per document: a package lookup reads the file system
def tagger_available() -> bool:
    """Whether the tagger's package is installed (it is part of the embedding extra)."""
    return importlib.util.find_spec("textblob") is not None


@cache
def _parser() -> Any:
    """textblob's English parser, without ``import textblob``.

    The package's ``__init__`` imports ``textblob.blob``, hence nltk, scipy, sklearn
    and pandas (~2 s of CPU and ~190 MB, the largest part of a cold ``okf extract``);
    the tagger itself (``textblob.en`` on ``textblob._text``) needs none of them. So
    its two modules are loaded by path and registered under their own names: a later
    ``import textblob`` finds and reuses them.
    """
    if "textblob" in sys.modules or "textblob.en" in sys.modules:
        from textblob.en import parser

        return parser
    spec = importlib.util.find_spec("textblob")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("textblob is not installed", name="textblob")
    root = Path(next(iter(spec.submodule_search_locations)))
    _load_module("textblob._text", root / "_text.py")
    parser = _load_module("textblob.en", root / "en" / "__init__.py", package=True).parser
    # The lexicon file is parsed once: the no-junk rule reads the same word → tag table.
    if dict.__len__(parser.lexicon) == 0:
        dict.update(parser.lexicon, lexicon_table())
    return parser


def _load_module(name: str, path: Path, *, package: bool = False) -> ModuleType:
    """Import the file ``path`` as module ``name`` without importing its parents."""
    locations = [str(path.parent)] if package else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"cannot load {path}", name=name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_tagger() -> None:
    """Import the tagger now (a model's ``load``), not during the first request."""
    _parser().find_tags(["warm", "up"])


#: Tags after which a base-form "verb" is a noun ("the wavelet *transform*"); not
#: plural nouns, whose verbs take the base form ("results *improve*").
_NOMINAL_LEFT = frozenset({"DT", "PRP$", "POS", "JJ", "JJR", "JJS", "CD", "NN", "NNP", "FW"})
_VERBS = frozenset({"VB", "VBP", "VBZ", "VBD", "MD"})


def pos_tags(doc: Document) -> list[str]:
    """Penn Treebank tags parallel to ``doc.tokens`` (English).

    Two repairs for the lexicon tagger's commonest miss, nouns that are also verbs:
    a base form right after a determiner, adjective or singular noun is a noun, and a
    present-tense form followed by a verb is a plural noun ("wavelet *transforms*
    compress images").
    """
    raw = [tag for _, tag in _parser().find_tags([t.text for t in doc.tokens])]
    tags = list(raw)
    for i, tag in enumerate(raw):  # decisions read the tagger's tags, not repaired ones
        if tag == "VB" and i and raw[i - 1] in _NOMINAL_LEFT:
            tags[i] = "NN"
        elif tag in ("VBZ", "VBP") and i + 1 < len(raw) and raw[i + 1] in _VERBS:
            tags[i] = "NNS" if tag == "VBZ" else "NN"
    return tags


def noun_phrase_chunks(doc: Document) -> list[tuple[int, int]]:
    """Runs ``[first, last)`` of candidate words tagged as a noun phrase, ending in a noun.

    Like :func:`~okf.text.candidates.chunks` (same sentence, candidate words only), but
    a word whose tag is neither a noun nor a modifier ends the run, trailing modifiers
    and leading gerunds are cut off ("using fast algorithms quickly" → "fast algorithms").
    Non-English documents, or no tagger installed: :func:`chunks` itself.
    """
    if doc.language != "en" or not tagger_available():
        return chunks(doc)
    tags = pos_tags(doc)
    fits = [
        ok and (tag in NOUNS or tag in MODIFIERS)
        for ok, tag in zip(doc.eligible, tags, strict=True)
    ]
    out = []
    for first, last in runs(doc, fits):
        while last > first and tags[last - 1] not in NOUNS:
            last -= 1
        # A gerund opening a chunk is the verb of a clause ("*maintaining* web sites",
        # "*using* neural networks"), not a modifier: Inspec F1@10 +0.4.
        while first < last - 1 and tags[first] == "VBG":
            first += 1
        if last > first:
            out.append((first, last))
    return out
