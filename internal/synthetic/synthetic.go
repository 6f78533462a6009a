// Package synthetic builds realistic Dockerfiles for benchmarks.
package synthetic

import (
	"fmt"
	"strings"
)

// stage is a typical single-stage build of about 25 lines.
const stage = `# build stage %[1]d
FROM python:3.11 AS app%[1]d
ARG APP_VERSION=1.0
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && \
    apt-get install -y \
      gcc \
      libpq-dev \
      curl \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN pip install . && \
    python -m compileall -q /app
RUN npm ci && npm run build
RUN curl -fsSL -o /tmp/tool.tgz https://example.com/tool.tgz \
    && tar -xzf /tmp/tool.tgz -C /usr/local/bin
EXPOSE 8000
USER nobody
HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]

`

// Dockerfile returns a Dockerfile of about n lines.
func Dockerfile(n int) []byte {
	var sb strings.Builder
	sb.WriteString("# syntax=docker/dockerfile:1\n")
	for i := 0; strings.Count(sb.String(), "\n") < n; i++ {
		fmt.Fprintf(&sb, stage, i)
	}
	return []byte(sb.String())
}
