"""The no-junk rule: which phrases are never keywords, in both languages.

A keyword does not open or end with a verb, an adverb, a determiner, a pronoun or a
preposition; a lone adjective or a lone verb is not a keyword; numbers, ordinals
("325º"), hex colours ("#ff8800", "fff") and URLs are not keywords. The same rule
filters every model's output and judges any system's phrases in ``okf bench``
(``junk@10``), so it works on a phrase's words alone, without the text around it:

* English words get the most likely tag of the lexicon that ``textblob`` ships (read
  from its file, without importing nltk); gerunds ("testing", "hiring") stay nouns;
* Portuguese has no tagger on the registry: stopwords cover determiners, pronouns and
  prepositions, the verb-form table (:mod:`okf.text.verbs_pt`) finite verbs and
  participles, an infinitive is a word in -ar/-er/-ir whose gerund is a known verb
  form ("melhorar" → "melhorando"), "-mente" words are adverbs, and a short list of
  common evaluative adjectives ("importante", "melhor", "simples") stands in for a
  tagger's adjective class.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from okf.text.stopwords import exclusive_stopwords, stopwords
from okf.text.verbs_pt import is_verb_form

#: Tags that may not open or end an English keyword, and the lone-word ones.
EDGE_TAGS = frozenset(
    [
        "DT",
        "PDT",
        "PRP",
        "PRP$",
        "WDT",
        "WP",
        "WP$",
        "WRB",
        "IN",
        "TO",
        "CC",
        "MD",
        "RB",
        "RBR",
        "RBS",
        "VB",
        "VBD",
        "VBP",
        "VBZ",
        "EX",
        "UH",
    ]
)
LONE_TAGS = EDGE_TAGS | frozenset({"JJ", "JJR", "JJS", "VBN"})

_NUMBER_LIKE = re.compile(
    r"[#$€£]?\d+(?:[.,:/]\d+)*(?:º|ª|°|%|st|nd|rd|th|s|k|m|x|px|em|ms|kb|mb|gb|h)?",
    re.IGNORECASE,
)
_HEX = re.compile(r"#?[0-9a-f]{3,8}", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[\w-]+\.(?:com|org|net|io|dev|br|pt|html?|php)(?:/\S*)?",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[#$€£]?\w+(?:['’.-]\w+)*|[^\w\s]")

#: Common Portuguese adjectives that say how good, big, new or easy something is: a
#: tagger's adjective class, for the words that most often stand alone in a top 10.
#: Masculine singular; feminine and plural forms are derived.
PT_ADJECTIVES = frozenset(
    [
        "importante",
        "melhor",
        "pior",
        "maior",
        "menor",
        "grande",
        "pequeno",
        "novo",
        "velho",
        "bom",
        "mau",
        "ótimo",
        "excelente",
        "incrível",
        "simples",
        "fácil",
        "difícil",
        "possível",
        "impossível",
        "necessário",
        "principal",
        "diferente",
        "interessante",
        "rápido",
        "lento",
        "legal",
        "certo",
        "errado",
        "próprio",
        "único",
        "mesmo",
        "comum",
        "geral",
        "específico",
        "atual",
        "real",
        "total",
        "final",
        "inicial",
        "básico",
        "claro",
        "alto",
        "baixo",
        "longo",
        "curto",
        "primeiro",
        "último",
        "próximo",
        "anterior",
        "seguinte",
        "diverso",
        "vário",
        "enorme",
        "perfeito",
        "ideal",
        "essencial",
        "fundamental",
        "útil",
        "inútil",
        "eficiente",
        "eficaz",
        "forte",
        "fraco",
        "livre",
        "gratuito",
        "completo",
        "simples",
        "grátis",
        "bonito",
        "feio",
        "seguro",
        "capaz",
        "junto",
        "sério",
        "antigo",
        "recente",
        "correto",
        "ruim",
        "chato",
        "tranquilo",
        "legal",
        "bacana",
    ]
)
#: Nouns that say nothing alone ("things", "coisas"); they may sit inside a phrase
#: ("internet of things").
GENERIC_NOUNS = frozenset(
    [
        "thing",
        "things",
        "stuff",
        "lot",
        "lots",
        "way",
        "ways",
        "coisa",
        "coisas",
        "jeito",
        "forma",
        "formas",
        "vez",
        "vezes",
        "dica",
        "dicas",
        "tip",
        "tips",
        "time",
        "times",
        "tempo",
        "case",
        "cases",
        "caso",
        "casos",
        "idea",
        "ideas",
        "ideia",
        "ideias",
    ]
)
_ADVERB_PT = re.compile(r"\w{3,}mente")


@cache
def _lexicon() -> dict[str, str]:
    """textblob's English lexicon (word → most likely tag), read as a plain file.

    The package is found without importing it: importing textblob imports nltk (~2 s).
    """
    spec = importlib.util.find_spec("textblob")
    if spec is None or not spec.submodule_search_locations:
        return {}  # the tagger ships with the embedding extra
    path = Path(next(iter(spec.submodule_search_locations))) / "en" / "en-lexicon.txt"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2 and not line.startswith(";;;"):  # textblob's comments
                out.setdefault(parts[0], parts[1])
    return out


def lexicon_tag(word: str) -> str:
    """The English lexicon's most likely tag of a lower-case word ("NN" when unknown)."""
    return _lexicon().get(word, "NN")


def lexicon_table() -> dict[str, str]:
    """The whole lexicon (word → tag), as textblob's own ``Lexicon`` would load it."""
    return _lexicon()


def load_junk_rules() -> None:
    """Read the lexicon now (a model's ``load``), not during the first request."""
    _lexicon()


def is_token_junk(word: str) -> bool:
    """A number, ordinal, amount, hex colour or URL ("325º", "#fff", "example.com")."""
    if _NUMBER_LIKE.fullmatch(word) or _URL.fullmatch(word):
        return True
    if _HEX.fullmatch(word):
        body = word.lstrip("#")
        has_digit = any(c.isdigit() for c in body)
        return word.startswith("#") or (has_digit and any(c.isalpha() for c in body))
    return False


def _pt_base(word: str) -> str:
    """Masculine singular guess of an adjective form ("importantes", "rápidas")."""
    if word.endswith("es") and word[:-2] in PT_ADJECTIVES:
        return word[:-2]
    if word.endswith("s"):
        word = word[:-1]
    if word.endswith("a") and word[:-1] + "o" in PT_ADJECTIVES:
        return word[:-1] + "o"
    return word


def pt_infinitive(word: str) -> bool:
    """A verb's infinitive: "-ar/-er/-ir" whose gerund is a known verb form."""
    return len(word) > 3 and word.endswith(("ar", "er", "ir")) and is_verb_form(word[:-1] + "ndo")


def _pt_verb(word: str, noun: bool) -> bool:
    return not noun and (is_verb_form(word) or pt_infinitive(word))


def english_function_word(original: str) -> bool:
    """An English function word quoted in a Portuguese text ("better *than* implicit"):
    lower case, an English stopword, and far more common in English than in Portuguese
    ("via", common in both, is not one; "Bill" is a name)."""
    word = original.lower()
    if original != word or word not in exclusive_stopwords("en"):
        return False
    from okf.text.rarity import frequencies

    return frequencies("en").get(word, 0.0) > 10 * frequencies("pt").get(word, 0.0)


def _pt_reason(words: list[str], originals: list[str], context: Context) -> str | None:
    stop = stopwords("pt")
    lower_edges = (words[0], words[-1])
    if any(w in stop for w in lower_edges):
        return "function word at an edge"
    if english_function_word(originals[0]) or english_function_word(originals[-1]):
        return "English function word at an edge"
    # Capitalised, a name, seen after an article, or after a preposition inside the
    # phrase ("mecanismos de *busca*"): a noun, whatever its verb homograph.
    # Without a context, a capital says "name"; with one, the text's own use decides
    # (a capitalised sentence opener "Melhorar" is still a verb).
    given = context is not NO_CONTEXT
    nouns = [
        (w in context.names if given else o[:1].isupper()) or w in context.nominal
        for o, w in zip(originals, words, strict=True)
    ]
    if len(words) > 1:
        nouns[-1] = nouns[-1] or words[-2] in stop
        nouns[0] = nouns[0] or words[1] in _PT_OF
    if any(_ADVERB_PT.fullmatch(w) for w in lower_edges):
        return "adverb at an edge"
    if _pt_verb(words[0], nouns[0]) or _pt_verb(words[-1], nouns[-1]):
        return "verb at an edge"
    if len(words) == 1 and _pt_base(words[0]) in PT_ADJECTIVES:
        return "lone adjective"
    return None


def _en_reason(words: list[str], context: Context) -> str | None:
    stop = stopwords("en")
    if words[0] in stop or words[-1] in stop:
        return "function word at an edge"
    lexicon = _lexicon().get

    def tag(word: str, default: str) -> str:
        if word in context.names:
            return "NNP"
        found = lexicon(word, default)
        # "the build", "a track": a verb homograph the text uses as a noun.
        return "NN" if found in _EN_VERB_TAGS and word in context.nominal else found

    if len(words) == 1:
        return "lone adjective or verb" if tag(words[0], "NN") in LONE_TAGS else None
    first, last = tag(words[0], "NN"), tag(words[-1], "NN")
    # Inside a phrase a base or present form is a noun: "*search* engine", "wavelet
    # *transform(s)*" (the lexicon's first tag is the verb).
    if first in EDGE_TAGS - _NOMINAL_VERB_TAGS or last in EDGE_TAGS - _NOMINAL_VERB_TAGS - {"VBZ"}:
        return "verb, adverb or function word at an edge"
    if last in ("JJ", "JJR", "JJS") and words[-1].endswith("ly"):
        return "adverb at an edge"
    return None


def junk_reason(phrase: str, language: str, context: Context | None = None) -> str | None:
    """Why ``phrase`` breaks the no-junk rule, or None when it may be a keyword.

    ``context`` (:func:`context_of` the text) says which words the text uses as names
    or as nouns, whatever a lexicon or a verb table says ("Angular", "a busca").
    """
    context = context or NO_CONTEXT
    originals = [w for w in _WORDS.findall(phrase.strip()) if w[0].isalnum() or w[0] in "#$€£"]
    if not originals:
        return "no word"
    if _URL.search(phrase):
        return "url"
    if any(is_token_junk(w) for w in originals):
        return "number, ordinal, hex code or url"
    words = [w.lower() for w in originals]
    if len(words) == 1 and words[0] in GENERIC_NOUNS:
        return "lone generic noun"
    if language == "pt":
        return _pt_reason(words, originals, context)
    return _en_reason(words, context)


def is_junk(phrase: str, language: str, context: Context | None = None) -> bool:
    return junk_reason(phrase, language, context) is not None


@dataclass(frozen=True, slots=True)
class Context:
    """What a text says about its words: ``names`` (capitalised inside a sentence, never
    in lower case there) and ``nominal`` (seen right after an article or possessive)."""

    names: frozenset[str] = frozenset()
    nominal: frozenset[str] = frozenset()


NO_CONTEXT = Context()
_EN_VERB_TAGS = frozenset({"VB", "VBP", "VBZ", "VBD"})
_NOMINAL_VERB_TAGS = frozenset({"VB", "VBP"})
_PT_OF = frozenset({"de", "da", "do", "das", "dos"})
_DETERMINERS = {
    "en": "the a an this that these those my your our their its his her every each",
    "pt": """o a os as um uma uns umas da do das dos na no nas nos à ao às aos pela pelo
    pelas pelos sua seu suas seus essa esse esta este nossa nosso minha meu""",
}
_MID_CAPITAL = re.compile(r"(?<=[\w,] )([A-Z][\w'’-]*)")
_MID_LOWER = re.compile(r"(?<=[\w,] )([a-z][\w'’-]*)")
_PAIR = re.compile(r"(\w+)\s+(\w[\w'’-]*)")


def context_of(text: str, language: str) -> Context:
    """Names and nominal uses in ``text`` (regular expressions: ~1 ms per 1,000 words)."""
    caps = {m.lower() for m in _MID_CAPITAL.findall(text)}
    names = frozenset(caps - set(_MID_LOWER.findall(text)))
    determiners = frozenset(_DETERMINERS[language].split())
    lowered = text.lower()
    nominal = {b for a, b in _PAIR.findall(lowered) if a in determiners}
    nominal |= {b for a, b in _PAIR.findall(lowered[lowered.find(" ") + 1 :]) if a in determiners}
    return Context(names, frozenset(nominal))
