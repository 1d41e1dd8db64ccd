"""The one extraction path: options, checks, model lookup and loading, runs, results."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from okf.cli import main
from okf.extraction import (
    CONVERTERS,
    DEFAULTS,
    ExtractionInput,
    ExtractionOptions,
    Extractor,
    InvalidInputError,
    InvalidOptionError,
    UnsupportedContentTypeError,
    build_extractor,
    check_text,
)
from okf.models.base import ExtractOptions, ModelUnavailableError, UnknownModelError
from okf.models.catalog import build_registry
from okf.service.app import create_app
from okf.settings import Settings
from okf.text import EmptyTextError, InvalidEncodingError, TextTooLargeError

from .service.support import WordCountModel, build_test_registry

EN = (
    "Keyword extraction ranks the phrases of a text. Keyword extraction helps search: "
    "search engines index phrases, and editors tag articles with keyword lists."
)
PT = "A extração de palavras-chave ordena expressões. A extração de palavras-chave ajuda."


def test_defaults_come_from_the_model_contract() -> None:
    model_defaults = ExtractOptions()
    assert DEFAULTS.for_model() == model_defaults
    assert (DEFAULTS.language, DEFAULTS.model) == ("auto", None)


@pytest.mark.parametrize(
    ("changes", "option"),
    [
        ({"top_n": 0}, "top_n"),
        ({"top_n": True}, "top_n"),
        ({"max_ngram": 0}, "max_ngram"),
        ({"diversity": 1.5}, "diversity"),
        ({"diversity": float("nan")}, "diversity"),
        ({"language": "fr"}, "language"),
    ],
)
def test_options_out_of_range_name_the_option(changes: dict, option: str) -> None:
    with pytest.raises(InvalidOptionError) as info:
        ExtractionOptions(**changes).check()
    assert info.value.option == option


def test_options_upper_bounds_are_the_callers() -> None:
    ExtractionOptions(top_n=100).check()
    with pytest.raises(InvalidOptionError, match="at most 5"):
        ExtractionOptions(top_n=6).check(max_top_n=5)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", EmptyTextError),
        (" \n\t\u00a0", EmptyTextError),
        ("\u0000\u0001", EmptyTextError),
        ("x" * 1_000_001, TextTooLargeError),
        ("abc \ud800 def", InvalidEncodingError),
    ],
)
def test_check_text_refuses_with_one_error_family(text: str, error: type) -> None:
    with pytest.raises(error):
        check_text(text)


def test_run_keeps_order_ids_and_per_document_language() -> None:
    extractor = Extractor(build_test_registry())
    inputs = [ExtractionInput(EN, id="a"), ExtractionInput(PT, lang="pt", id=7)]
    results = extractor.run(inputs, ExtractionOptions(top_n=3, language="en"))
    assert [r.id for r in results] == ["a", 7]
    assert [r.language for r in results] == ["en", "pt"]
    assert results[0].keywords[0].phrase == "keyword"
    assert results[0].as_dict()["model"] == {"name": "wordcount", "version": "1.0"}
    for kw in results[0].keywords:
        for start, end in kw.offsets:
            assert EN[start:end].lower() == kw.phrase


def test_a_bad_document_raises_with_its_index_or_is_kept() -> None:
    extractor = Extractor(build_test_registry())
    inputs = [ExtractionInput(EN), ExtractionInput("   "), ExtractionInput(PT)]
    with pytest.raises(InvalidInputError) as info:
        extractor.run(inputs)
    assert info.value.index == 1 and isinstance(info.value.cause, EmptyTextError)
    kept = extractor.run(inputs, errors="keep")
    assert [bool(r.keywords) for r in kept] == [True, False, True]
    assert isinstance(kept[1].error, EmptyTextError) and kept[1].language is None
    assert kept[1].as_dict()["error"]["type"] == "EmptyTextError"


def test_unknown_content_type_is_a_text_error_and_converters_plug_in() -> None:
    extractor = Extractor(build_test_registry())
    with pytest.raises(UnsupportedContentTypeError, match="text/plain"):
        extractor.extract_input(ExtractionInput(EN, content_type="text/x-nope"))
    assert "text/plain" in CONVERTERS
    charset = ExtractionInput(EN, content_type="text/plain; charset=utf-8")
    assert extractor.extract_input(charset).keywords


def test_model_lookup_errors() -> None:
    extractor = Extractor(build_test_registry())
    with pytest.raises(UnknownModelError):
        extractor.run([ExtractionInput(EN)], ExtractionOptions(model="gpt"))
    with pytest.raises(ModelUnavailableError, match="embedding"):
        extractor.run([ExtractionInput(EN)], ExtractionOptions(model="needs-extra"))
    with pytest.raises(UnknownModelError):
        Extractor(build_test_registry(), default_model="gpt")


def test_load_runs_once_across_threads() -> None:
    class CountingLoads(WordCountModel):
        name = "counting"
        loads = 0

        def load(self) -> None:
            type(self).loads += 1

    registry = build_test_registry()
    registry.register(CountingLoads(), default=True)
    extractor = Extractor(registry)
    threads = [threading.Thread(target=extractor.extract, args=(EN,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert CountingLoads.loads == 1


def test_build_extractor_from_settings_needs_no_app() -> None:
    extractor = build_extractor(Settings(default_model="statistical", request_timeout_s=3.5))
    assert extractor.default_model == "statistical" and extractor.budget_s == 3.5
    assert extractor.extract(EN).model.name == "statistical"


def test_cli_api_and_extractor_give_the_same_keywords(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    options = {"top_n": 5, "max_ngram": 2, "diversity": 0.3}
    direct = Extractor(build_registry()).extract(
        EN, ExtractionOptions(model="statistical", **options)
    )
    path = tmp_path / "doc.txt"
    path.write_text(EN, encoding="utf-8")
    argv = ["extract", str(path), "--model", "statistical", "--format", "json"]
    argv += ["--top", "5", "--max-ngram", "2", "--diversity", "0.3"]
    assert main(argv) == 0
    cli = json.loads(capsys.readouterr().out)
    settings = Settings(api_keys_file=tmp_path / "keys.json", warmup=False)
    with TestClient(create_app(settings, build_registry())) as client:
        body = {"text": EN, "model": "statistical", **options}
        api = client.post("/v1/keywords/extract", json=body).json()
    expected = [k.as_dict() for k in direct.keywords]
    assert cli["keywords"] == expected
    assert api["keywords"] == expected


def test_testing_helpers_fail_loudly_and_parse_metrics() -> None:
    from okf.testing import free_port, metric_sum, wait_until

    assert 1024 <= free_port() <= 65535
    with pytest.raises(AssertionError, match="the sky to fall"):
        wait_until(lambda: False, 0.05, "the sky to fall", interval=0.01)
    text = 'hits_total{path="/a"} 2.0\nhits_total{path="/b"} 3.0\n'
    assert metric_sum(text, "hits_total") == 5.0
    assert metric_sum(text, "hits_total", path="/b") == 3.0
