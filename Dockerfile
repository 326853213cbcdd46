# graphsvc application image (used by docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graphsvc ./graphsvc
COPY ingest ./ingest
COPY analytics ./analytics
COPY recommend ./recommend
COPY web ./web
COPY cypher ./cypher
RUN pip install --no-cache-dir . && useradd --create-home graphsvc
USER graphsvc
WORKDIR /home/graphsvc
ENTRYPOINT ["graphsvc"]
CMD ["info"]
