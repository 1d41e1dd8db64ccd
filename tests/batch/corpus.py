"""Small corpora the batch tests write themselves (texts of our own, pt and en)."""

from __future__ import annotations

import json
from pathlib import Path

PT = (
    "A otimização de consultas é essencial para bases de dados. As otimizações de "
    "consultas reduzem custos de processamento. A otimização de consultas usa índices."
)
EN = (
    "Keyword extraction finds the key phrases of a text. Keyword extraction helps "
    "search engines index web pages, and key phrases summarise long documents."
)
EN2 = (
    "Solar panels convert sunlight into electricity. Cheap solar panels changed the "
    "energy market, and home batteries store the electricity for the night."
)
PT2 = (
    "O mercado de energia solar cresceu muito. Painéis solares baratos e baterias "
    "domésticas mudaram o mercado de energia em muitas cidades."
)
TEXTS = (PT, EN, EN2, PT2)


def mixed_texts(n: int) -> list[str]:
    """``n`` good texts, varied so that their keywords differ a little."""
    return [f"{TEXTS[i % len(TEXTS)]} Documento {i} número {i}." for i in range(n)]


def write_jsonl(path: Path, texts: list[str], *, prefix: str = "doc") -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i, text in enumerate(texts):
            out.write(json.dumps({"id": f"{prefix}-{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


def write_folder(root: Path) -> dict[str, str | None]:
    """A folder with good and bad files; the expected error reason of each id."""
    (root / "news" / "2024").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "_drafts").mkdir()
    (root / "a.txt").write_text(PT, encoding="utf-8")
    (root / "news" / "b.md").write_text(f"# Title\n\n{EN}", encoding="utf-8")
    (root / "news" / "2024" / "c.html").write_text(f"<p>{EN2}</p>", encoding="utf-8")
    (root / "empty.txt").write_text("  \n\t", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (root / "latin1.txt").write_bytes("ação e reação".encode("latin-1"))
    (root / "image.png").write_bytes(b"\x89PNG")  # not a text extension: not read
    (root / ".git" / "x.txt").write_text(PT, encoding="utf-8")
    (root / "_drafts" / "y.txt").write_text(PT, encoding="utf-8")
    return {
        "a.txt": None,
        "news/b.md": None,
        "news/2024/c.html": None,
        "empty.txt": "empty",
        "binary.txt": "binary",
        "latin1.txt": "undecodable",
    }
