# syntax=docker/dockerfile:1
# trustsvc API image: multi-stage (a virtual environment installed from requirements.lock in a throw-away stage),
# runs as a non-root user.
FROM python:3.11-slim AS build
# Dependencies first, exactly as locked (versions and hashes: `make lock` refreshes requirements.lock), in their
# own layer so a code change does not reinstall them; then the package itself, which adds no dependency.
RUN python -m venv /opt/trustsvc
ENV PATH=/opt/trustsvc/bin:$PATH
WORKDIR /src
COPY requirements.lock ./
RUN pip install --no-cache-dir --upgrade pip \
 && pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY trustsvc ./trustsvc
COPY trust_lists ./trust_lists
RUN pip install --no-cache-dir --no-deps . && pip check

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    TRUSTSVC_DATA_DIR=/var/lib/trustsvc \
    TRUSTSVC_DATABASE_URL=sqlite:////var/lib/trustsvc/trustsvc.db
# Pango and CJK fonts for the PDF minutes of a bid opening (WeasyPrint).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      fonts-noto-cjk fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 trustsvc \
 && useradd --system --uid 10001 --gid trustsvc --home-dir /var/lib/trustsvc --shell /usr/sbin/nologin trustsvc \
 && mkdir -p /var/lib/trustsvc && chown trustsvc:trustsvc /var/lib/trustsvc
COPY --from=build /opt/trustsvc /opt/trustsvc
ENV PATH=/opt/trustsvc/bin:$PATH
USER trustsvc
WORKDIR /var/lib/trustsvc
VOLUME ["/var/lib/trustsvc"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["trustsvc"]
# The demo PKI and its trust lists are generated on first start into the data volume.
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--demo-dir", "/var/lib/trustsvc/demo", "--init-demo"]
