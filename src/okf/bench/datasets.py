"""Read a keyphrase dataset in the shared layout: ``docsutf8/<id>.txt`` + ``keys/<id>.key``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_LANGUAGE_FILES = ("lan.txt", "language.txt")
_LANGUAGE_NAMES = {"en": "en", "english": "en", "pt": "pt", "portuguese": "pt"}


class DatasetError(ValueError):
    """The folder is not a dataset in the expected layout."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One document and its gold keyphrases (all of them, present in the text or not).

    ``title`` comes from ``title/<id>.txt`` and ``raw`` from ``raw/<id>.md`` (the post's
    Markdown) when the set has them (the blogs sets).
    """

    doc_id: str
    text: str
    keys: tuple[str, ...]
    title: str | None = None
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    path: Path
    language: str | None  # from lan.txt / language.txt when the folder has one
    samples: tuple[Sample, ...]


def declared_language(path: Path) -> str | None:
    """The language a dataset declares ("en-US" → "en", "portuguese" → "pt"), if any."""
    for name in _LANGUAGE_FILES:
        file = path / name
        if file.is_file():
            raw = file.read_text(encoding="utf-8-sig").strip().lower()
            code = _LANGUAGE_NAMES.get(raw.split("-")[0].split("_")[0])
            if code:
                return code
    return None


def _optional(folder: Path, name: str) -> str | None:
    file = folder / name
    return file.read_text(encoding="utf-8-sig") if file.is_file() else None


def load_dataset(
    path: str | Path, max_docs: int | None = None, *, markdown: bool = False
) -> Dataset:
    """Documents sorted by id (so ``max_docs`` always picks the same ones) with their keys.

    ``markdown``: also read each document's ``raw/<id>.md`` (an error if the set has no
    ``raw/`` folder).
    """
    root = Path(path)
    docs_dir, keys_dir = root / "docsutf8", root / "keys"
    if not docs_dir.is_dir() or not keys_dir.is_dir():
        raise DatasetError(f"{root} has no docsutf8/ and keys/ folders")
    if markdown and not (root / "raw").is_dir():
        raise DatasetError(f"{root} has no raw/ folder of Markdown documents")
    files = sorted(docs_dir.glob("*.txt"), key=lambda p: p.stem)
    if max_docs is not None:
        files = files[: max(0, max_docs)]
    samples = []
    for file in files:
        key_file = keys_dir / f"{file.stem}.key"
        if not key_file.is_file():
            continue
        keys = [k.strip() for k in key_file.read_text(encoding="utf-8-sig").splitlines()]
        title = _optional(root / "title", f"{file.stem}.txt")
        raw = _optional(root / "raw", f"{file.stem}.md") if markdown else None
        if markdown and raw is None:
            continue
        samples.append(
            Sample(
                file.stem,
                file.read_text(encoding="utf-8-sig"),
                tuple(k for k in keys if k),
                title.strip() if title is not None else None,
                raw,
            )
        )
    if not samples:
        raise DatasetError(f"{root} has no document with a key file")
    return Dataset(root.name, root, declared_language(root), tuple(samples))
