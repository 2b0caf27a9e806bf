# The registry's endpoint as a container: the project and its dependencies, served by waitress
# (or by granian with -e OGPREG_SERVER=granian: docs/deployment.md; the granian extra is
# installed).
# With OGPREG_ENGINE=oxigraph|virtuoso and OGPREG_ENGINE_QUERY_URL it is stateless in front of
# that engine, so several containers can serve one engine (docs/deployment.md). Without them it
# serves the embedded store in the /data volume (its tokens, audit log and sessions in
# /data/store beside it: OGPREG_STATE_DIR is read only with an engine).
#
#   docker build -t ogp-registry .
#   docker run -p 8000:8000 -e OGPREG_BASE_URI=https://ogp.example.no/ \
#     -e OGPREG_ENGINE=virtuoso -e OGPREG_ENGINE_QUERY_URL=http://virtuoso:8890/sparql \
#     -v ogpreg-state:/data ogp-registry
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OGPREG_STORE=/data/store \
    OGPREG_STATE_DIR=/data/state

RUN useradd --system --create-home --home-dir /home/ogpreg ogpreg \
    && mkdir -p /data/store /data/state && chown -R ogpreg /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY registry ./registry
COPY ontology ./ontology
COPY shapes ./shapes
COPY loaders ./loaders
COPY endpoint ./endpoint
COPY ogpreg ./ogpreg
RUN pip install --no-cache-dir ".[granian]" && python -c "import registry, endpoint, ogpreg, granian"

USER ogpreg
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"
CMD ["ogpreg", "serve", "--host", "0.0.0.0", "--port", "8000"]
