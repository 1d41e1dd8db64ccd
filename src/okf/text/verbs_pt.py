"""Portuguese verb forms, so that Portuguese chunks end at verbs as English ones do.

Stopword-bounded chunks of a Portuguese text keep the verbs that sit between stopwords
("o governo *anunciou* novas medidas" is one chunk), and a keyphrase almost never holds
a finite verb. No Portuguese tagger ships on PyPI with its weights, but a lemma list
does: ``simplemma`` (its dictionaries are files inside the wheel; nothing is
downloaded). A word is a verb form when its lemma differs from it and is an infinitive
(-ar, -er, -ir, or pôr and its compounds), unless it is a plural whose singular is that
lemma ("militares" → "militar", "jogadores" → "jogador": nouns and adjectives), or a
hyphenated form that ends in a clitic pronoun ("demitiu-se", "fazê-lo"). In a
text, a capitalised word is taken for a name, never a verb. On 110-PT-BN-KP this took
``statistical`` from F1@10 24.26 to 27.05.

simplemma's Portuguese dictionary costs ~1.6 s to load and ~95 MB that a process never
gives back. So the 686,000 verb forms are read once, in a child process, and kept as
a sorted array of 64-bit hashes (5.5 MB, ~10 ms to load), saved under the
environment's ``share/okf`` (``make install`` builds it; a process that finds it
missing builds it then, and saves it when it can). Should the table be unreadable and
unbuildable, Portuguese chunks keep their verbs (as before 1.2.0) and a warning says so:
English is never affected.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import subprocess
import sys
import threading
import warnings
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

from okf.files import atomic_writer
from okf.text.document import Document

LANGUAGE = "pt"
#: Bumped whenever the rule or the hash changes, so an old table is never reused.
TABLE_FORMAT = 1
BUILD_TIMEOUT_S = 120
_INFINITIVES = ("ar", "er", "ir", "por", "pôr")
#: Pronouns a verb takes after a hyphen ("candidatou-*se*", "parece-*me*", "fazê-*lo*").
_CLITICS = frozenset(
    [
        "se",
        "me",
        "te",
        "lhe",
        "lhes",
        "nos",
        "vos",
        "o",
        "a",
        "os",
        "as",
        "lo",
        "la",
        "los",
        "las",
        "no",
        "na",
    ]
)


def _hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def is_verb_lemma_pair(word: str, lemma: str) -> bool:
    """The rule, on a lower-case word and its lemma."""
    if lemma == word or len(lemma) < 4:
        return False
    if word.endswith("es") and word[:-2] == lemma:  # plural of a noun in -ar/-er/-or
        return False
    return lemma.endswith(_INFINITIVES)


def build_table() -> np.ndarray:
    """Hashes of every lower-case verb form in simplemma's Portuguese dictionary."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    forms = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(LANGUAGE)
    hashes = [
        _hash(w) for w, lemma in forms.items() if w.islower() and is_verb_lemma_pair(w, lemma)
    ]
    return np.unique(np.asarray(hashes, dtype=np.uint64))


def table_path() -> Path:
    """Where the table is kept: per environment, rule format and simplemma version."""
    name = f"pt-verb-forms-v{TABLE_FORMAT}-simplemma-{version('simplemma')}.npy"
    return Path(sys.prefix) / "share" / "okf" / name


_build_lock = threading.Lock()


@cache
def _table() -> np.ndarray:
    """The table; an empty one (no verb cuts, as before 1.2.0) if it cannot be had."""
    with _build_lock:  # one builder per process
        path = table_path()
        try:
            return _read(path) if path.is_file() else _build(path)
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            warnings.warn(
                f"Portuguese verb forms unavailable, chunks keep verbs: {exc}", stacklevel=2
            )
            return np.zeros(0, dtype=np.uint64)


def _read(path: Path) -> np.ndarray:
    table = np.load(path)
    if table.dtype != np.uint64 or table.ndim != 1:
        raise ValueError(f"{path} is not a verb-form table")
    return table


def _build(path: Path) -> np.ndarray:
    """Build in a child process, which pays simplemma's load time and memory."""
    command = "from okf.text.verbs_pt import main; main(['-'])"
    child = subprocess.run(
        [sys.executable, "-c", command], capture_output=True, timeout=BUILD_TIMEOUT_S
    )
    if child.returncode != 0:
        message = child.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        raise subprocess.SubprocessError(f"building the table failed: {message[0]}")
    table = np.load(io.BytesIO(child.stdout))
    with contextlib.suppress(OSError):  # read-only environment: built again next time
        _save(table, path)
    return table


def _save(table: np.ndarray, path: Path) -> None:
    """Write whole or not at all (a concurrent reader never sees half a table), readable
    by every user like any installed file (``mkstemp`` would leave it owner-only)."""
    with atomic_writer(path, mode=0o644, binary=True) as out:
        np.save(out, table)


def load_verb_forms() -> None:
    """Read (or build) the verb-form table now, at a model's ``load``, not in a request."""
    _table()


def _in_table(word: str) -> bool:
    table = _table()
    key = np.uint64(_hash(word))
    at = int(np.searchsorted(table, key))
    return at < len(table) and bool(table[at] == key)


@lru_cache(maxsize=100_000)
def is_verb_form(word: str) -> bool:
    """Whether a lower-case Portuguese word is an inflected verb form.

    A hyphenated word is one when it ends in a clitic pronoun ("demitiu-se") or its
    last part is one ("pré-fabricado"); "palavras-chave" is not.
    """
    if "-" in word:
        tail = word.rpartition("-")[2]
        return tail in _CLITICS or _in_table(word) or _in_table(tail)
    return _in_table(word)


#: Words after which a verb form is a noun: articles, contractions with them, and
#: "de" ("a *busca*", "o *resultado*", "mecanismos de *busca*").
NOMINAL_LEFT = frozenset(
    [
        "o",
        "a",
        "os",
        "as",
        "um",
        "uma",
        "uns",
        "umas",
        "da",
        "do",
        "das",
        "dos",
        "de",
        "na",
        "no",
        "nas",
        "nos",
        "à",
        "ao",
        "às",
        "aos",
        "pela",
        "pelo",
        "pelas",
        "pelos",
        "sua",
        "seu",
        "suas",
        "seus",
        "essa",
        "esse",
        "esta",
        "este",
        "nossa",
        "nosso",
    ]
)


def verb_mask(doc: Document) -> list[bool]:
    """True at each eligible token that is a verb form.

    Capitalised words (names) never are, nor words right after an article or "de".
    """
    lowers = doc.lowers
    return [
        ok
        and not token.text[:1].isupper()
        and not (i and lowers[i - 1] in NOMINAL_LEFT)
        and is_verb_form(lower)
        for i, (ok, token, lower) in enumerate(zip(doc.eligible, doc.tokens, lowers, strict=True))
    ]


def main(argv: list[str]) -> int:
    """Write the table to its place, to PATH, or to stdout for ``-`` (``make install``)."""
    table = build_table()
    if argv and argv[0] == "-":
        buffer = io.BytesIO()
        np.save(buffer, table)
        sys.stdout.buffer.write(buffer.getvalue())
        return 0
    path = Path(argv[0]) if argv else table_path()
    _save(table, path)
    print(f"{len(table)} Portuguese verb forms -> {path}")
    return 0
