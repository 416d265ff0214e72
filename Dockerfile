# Tactful service: slim Python 3.11, CPU PyTorch pinned, non-root, model loaded at start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TACTFUL_HOST=0.0.0.0 \
    TACTFUL_DATABASE_URL=sqlite:////data/tactful.db

WORKDIR /srv/tactful

# PyTorch first, pinned to the CPU build, so no dependency pulls a CUDA build.
RUN pip install "torch==2.13.0"

COPY pyproject.toml README.md ./
COPY app ./app
COPY models ./models
COPY prompts ./prompts
COPY templates ./templates
COPY config ./config
RUN pip install -e . && tactful export

RUN useradd --system --uid 10001 --home /srv/tactful tactful \
    && mkdir -p /data && chown tactful /data
USER tactful
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"

CMD ["tactful", "serve", "--host", "0.0.0.0", "--port", "8000"]
