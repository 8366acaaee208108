"""The int8 models (the reader and the embedding model) compute the same numbers on every CPU.

ONNX Runtime multiplies int8 weights with an instruction that saturates on x86 CPUs with AVX2
but no VNNI (many AMD EPYC and older Intel servers) unless the session asks for exact products
(index.embedding.exact_int8). The reference here is the same model with its weights turned into
uint8 (w + 128, zero point 128): the same real weights, multiplied exactly by every CPU's
kernel. On a VNNI CPU the two agree with or without the session option; on one without VNNI
they agree only with it (the reader's logits were up to 1.0 apart)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot import reader as reader_mod
from conftest import SHMELYEV_Q

onnx = pytest.importorskip("onnx")
from onnx import numpy_helper  # noqa: E402

PASSAGE = (
    "Belarusian President Press Secretary Natalia Eisenmont stated that Lukashenko pardoned opposition politician "
    "Sergey Tikhanyovski. Tikhanyovski was sentenced to 18 years in prison for organizing mass unrest following "
    "the 2020 Belarusian presidential election. The release of this candidate's husband, Svetlana Tikhanyovskaya, "
    '"was purely humanitarian" - to allow him to reunite with his family.'
)


def _weights_as_uint8(src: Path, dst: Path) -> int:
    """A copy of the model with every int8 MatMulInteger weight (and its zero point) shifted to uint8."""
    model = onnx.load(str(src))
    inits = {i.name: i for i in model.graph.initializer}
    done: set[str] = set()
    for node in model.graph.node:
        if node.op_type != "MatMulInteger" or node.input[1] in done or node.input[1] not in inits:
            continue
        weight, zero = node.input[1], node.input[3]
        w = numpy_helper.to_array(inits[weight])
        if w.dtype != np.int8:
            continue
        z = numpy_helper.to_array(inits[zero])
        inits[weight].CopyFrom(numpy_helper.from_array((w.astype(np.int16) + 128).astype(np.uint8), weight))
        inits[zero].CopyFrom(numpy_helper.from_array((z.astype(np.int16) + 128).astype(np.uint8), zero))
        done.add(weight)
    onnx.save(model, str(dst))
    return len(done)


def test_the_reader_reads_the_same_as_with_exact_uint8_weights(tmp_path):
    shipped = reader_mod.load()
    assert shipped is not None
    (tmp_path / "reader").mkdir()
    assert _weights_as_uint8(reader_mod.DEFAULT_DIR / "model.onnx", tmp_path / "reader" / "model.onnx") > 30
    exact = reader_mod.Reader(tmp_path / "reader")
    for question in (SHMELYEV_Q, "What reason did Minsk give for letting Tikhanyovski go?"):
        a, b = shipped.read(question, [PASSAGE])[0], exact.read(question, [PASSAGE])[0]
        np.testing.assert_allclose(a.start_scores, b.start_scores, atol=1e-4)
        np.testing.assert_allclose(a.end_scores, b.end_scores, atol=1e-4)
        assert a.null == pytest.approx(b.null, abs=1e-4) and a.best() == b.best()


def test_the_embedding_model_embeds_the_same_as_with_exact_uint8_weights(embed, tmp_path):
    from index.embedding import OnnxMiniLM

    served = embed.model
    assert isinstance(served, OnnxMiniLM)
    folder = Path(served._path).parent.parent
    copy = tmp_path / "minilm"
    shutil.copytree(folder, copy, ignore=lambda d, names: ["model.onnx"] if Path(d).name == "onnx" else [])
    assert _weights_as_uint8(Path(served._path), copy / "onnx" / "model.onnx") > 30
    texts = [PASSAGE, SHMELYEV_Q, "Lukashenko"]
    np.testing.assert_allclose(served.encode(texts), OnnxMiniLM(copy, one_at_a_time=served.one_at_a_time).encode(texts), atol=1e-5)
