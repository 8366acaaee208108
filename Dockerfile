# citebot: one image for the bot workers and the ingest job (CPU only, no downloads at run time).
# Untested here (no Docker on the build machine).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
    DATA_DIR=/data MODEL_CACHE=/models CORPUS_DIR=/corpus

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY bot ./bot
COPY index ./index
COPY prompts ./prompts
# torch first, pinned: pip then keeps the CPU build (as in the Makefile)
RUN pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
 && pip install -c requirements.lock .
# Export the embedding model to ONNX at build time, so containers never write it at start.
RUN python -c "from index.embedding import MiniLMEmbedding; MiniLMEmbedding(cache_dir='/models').load()"

RUN useradd --create-home citebot && mkdir -p /data /corpus && chown citebot /data
USER citebot
VOLUME ["/data"]
ENTRYPOINT ["citebot"]
CMD ["--help"]
