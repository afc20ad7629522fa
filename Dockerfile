# The accessgraph API and explorer. Neo4j runs beside it (docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY loaders ./loaders
COPY cypher ./cypher
COPY examples ./examples
RUN pip install --no-cache-dir -e . && useradd --system --uid 10001 accessgraph
USER accessgraph
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["accessgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
