# The accessgraph API and explorer. Neo4j runs beside it (docker-compose.yml).
# 1. explorer: the explorer bundle, built by the same script as CI (npm ci from the lock file, tsc, esbuild).
# 2. wheel: accessgraph as a wheel, carrying the bundle and the Cypher statements as package data.
# 3. the image: that wheel installed, and no source tree, so it runs exactly what the package ships.
FROM node:20-slim AS explorer
WORKDIR /src
COPY .ci/explorer ./.ci/explorer
COPY explorer ./explorer
RUN bash .ci/explorer --bundle-only

FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY service ./service
COPY loaders ./loaders
COPY cypher ./cypher
COPY --from=explorer /src/service/explorer/static ./service/explorer/static
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels && useradd --system --uid 10001 accessgraph
WORKDIR /app
COPY examples ./examples
USER accessgraph
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["accessgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
