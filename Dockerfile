FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/legalbot.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY knowledge ./knowledge
COPY bot ./bot
COPY admin_cli ./admin_cli
COPY faq_data ./faq_data
RUN pip install --no-cache-dir . && useradd --create-home --uid 1000 legalbot \
    && mkdir /data && chown legalbot /data

USER legalbot
VOLUME ["/data"]
ENTRYPOINT ["legalbot"]
CMD ["chat"]
