# The application's image. Web, worker and beat run this one image, each with its own command
# (docker-compose.yml); nothing is installed or fetched when a container starts.
#
#   docker compose build                 # or: docker build -t agency:local .
#
# Three stages (docs/operations.md, "The image"):
#   assets   Node.js: `npm ci` of package-lock.json, then the charts' library and htmx copied out, as
#            `make install` does. Node.js and node_modules stay in this stage.
#   wheels   Python: a wheel of every line of requirements.txt (`pip wheel`). Every requirement
#            ships binary or pure-Python wheels for linux/amd64 and linux/arm64, so no compiler is
#            needed; the wheels are all the next stage takes from here.
#   runtime  Python with the wheels installed from this build alone (no index), the code, the
#            compiled translations and the collected static files; runs as an unprivileged user.
#
# The base images are pinned to exact versions. Whoever builds for production should pin them by
# digest as well, so that a rebuild starts from the same bytes:
#   docker buildx imagetools inspect python:3.11.11-slim-bookworm     # prints the digest
#   docker build --build-arg PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:<digest> \
#                --build-arg NODE_IMAGE=node:20.18.1-bookworm-slim@sha256:<digest> -t agency:local .
# Builds use BuildKit (the default of Docker Engine 23 and of `docker compose`): the runtime stage
# mounts the wheels instead of copying them into a layer.

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

# --- assets: the front-end libraries (npm registry, versions and hashes from package-lock.json) ---
FROM ${NODE_IMAGE} AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
    && mkdir -p vendor \
    && cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map vendor/ \
    && cp node_modules/htmx.org/dist/htmx.min.js vendor/

# --- wheels: every Python requirement as a wheel ---
FROM ${PYTHON_IMAGE} AS wheels
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements.txt ./
RUN pip wheel --wheel-dir /wheels -r requirements.txt \
    && cp requirements.txt /wheels/

# --- runtime: what web, worker and beat run ---
FROM ${PYTHON_IMAGE} AS runtime
# FFmpeg for PyAV: the `av` wheel carries its own FFmpeg libraries (libavcodec, libavformat, … in
# site-packages/av.libs), as psycopg[binary] carries libpq and Pillow its image libraries. What they
# link from the system (glibc, libstdc++, libgcc_s, zlib) is in the slim base image, so no Debian
# package is installed here. The product calls no `ffmpeg` program, only the library.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_ENV=production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media

RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels -r /wheels/requirements.txt

WORKDIR /app
# The code belongs to root and is read-only to the user the processes run as.
COPY . .
COPY --from=assets /build/vendor/ agency/static/vendor/

# Build-time steps need no database, no broker and no real secret: DJANGO_SECRET_KEY is set for
# these commands only and is not kept in the image. collectstatic runs with DJANGO_ENV=production,
# so the files carry the hashed names and the manifest that WhiteNoise serves at run time.
RUN DJANGO_SECRET_KEY=build-time-only python manage.py compile_translations \
    && DJANGO_SECRET_KEY=build-time-only python manage.py collectstatic --noinput \
    && python -m compileall -q /app \
    && mkdir -p /data/media /data/beat \
    && chown app:app /data/media /data/beat

# Uploaded and generated files (/data/media) and beat's last-run times (/data/beat) are the only
# places the processes write; mount volumes there.
USER 10001:10001
EXPOSE 8000

# The web process by default; docker-compose.yml gives each service its command. Migrations are not
# run here: `python manage.py migrate --noinput` runs before the web server starts (Compose) or as a
# step of each release (docs/operations.md).
CMD ["gunicorn", "-c", "python:project.gunicorn", "project.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
