"""A smaller reader distilled from the shipped one: fewer BERT layers, so a passage reads in a
fraction of the time (the reader is the largest stage of a warm `ask`, benchmarks/ask.py).

The student starts as the teacher with some of its layers kept (LAYERS, default "0,2,4": every
other one, as DistilBERT was initialised) and the teacher's QA head, and learns on the same data
and windows as qa/train.py from two targets at once: the teacher's start/end distributions
(KL divergence at temperature T, weight ALPHA) and the gold spans (cross-entropy, 1 - ALPHA).
The teacher is the shipped int8 reader turned back into torch (qa/dequantize.py).

Usage: [LAYERS=0,2,4] [STEPS=800] python benchmarks/reader/qa/distill.py DATA_DIR TEACHER_DIR OUT_DIR
       (then qa/export.py OUT_DIR ONNX_DIR, qa/eval.py, citebot calibrate with READER_DIR=ONNX_DIR)
"""

from __future__ import annotations

import copy
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

sys.path.insert(0, str(Path(__file__).parent))
from train import BS, MAX_Q_TOKENS, batches, features, tensors  # noqa: E402

LR, T, ALPHA = 1e-4, 2.0, 0.7


def student_of(teacher, layers: list[int]):
    student = copy.deepcopy(teacher)
    student.bert.encoder.layer = torch.nn.ModuleList([copy.deepcopy(teacher.bert.encoder.layer[i]) for i in layers])
    student.config.num_hidden_layers = len(layers)
    return student


def main(data: Path, teacher_dir: Path, out: Path) -> None:
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 2)))
    layers = [int(x) for x in os.environ.get("LAYERS", "0,2,4").split(",")]
    steps = int(os.environ.get("STEPS", 800))
    tok = AutoTokenizer.from_pretrained(teacher_dir)
    teacher = AutoModelForQuestionAnswering.from_pretrained(teacher_dir, attn_implementation="eager").eval()
    student = student_of(teacher, layers).train()
    student.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    train = json.loads((data / "train.json").read_text())
    train = [e for e in train if len(tok.tokenize(e["q"])) <= MAX_Q_TOKENS]
    feats = []
    for k in range(0, len(train), 1000):
        feats += features(tok, train[k : k + 1000])
    print(f"{len(train)} examples -> {len(feats)} windows; student layers {layers}, {steps} steps", flush=True)
    opt = torch.optim.AdamW([p for p in student.parameters() if p.requires_grad], lr=LR, weight_decay=0.01)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, s / warm) * max(0.0, (steps - s) / (steps - warm)))
    step, t0, loss_avg = 0, time.time(), None
    while step < steps:
        for b in batches(feats):
            ids, tt, m, sp, ep = tensors(feats, b)
            pad = m == 0
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
                tout = teacher(input_ids=ids, token_type_ids=tt, attention_mask=m)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                sout = student(input_ids=ids, token_type_ids=tt, attention_mask=m)
            loss = 0.0
            for s_log, t_log, gold in ((sout.start_logits, tout.start_logits, sp), (sout.end_logits, tout.end_logits, ep)):
                s_log = s_log.float().masked_fill(pad, -1e4)
                t_log = t_log.float().masked_fill(pad, -1e4)
                kd = F.kl_div(F.log_softmax(s_log / T, -1), F.softmax(t_log / T, -1), reduction="batchmean") * T * T
                loss = loss + 0.5 * (ALPHA * kd + (1 - ALPHA) * F.cross_entropy(s_log, gold))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
            if step % 25 == 0 or step == steps:
                print(f"step {step}/{steps} loss {loss_avg:.3f} lr {sched.get_last_lr()[0]:.2e} {step * BS / (time.time() - t0):.1f} windows/s", flush=True)
            if step % 200 == 0 or step >= steps:
                student.save_pretrained(out)
                tok.save_pretrained(out)
            if step >= steps:
                break


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
