"""A local simulator of the platforms' documented open APIs, for development, the demo and the
integration tests. No machine here reaches the platforms, so this stands in for them over HTTP on
the loopback, stateful the way the real ones are: authorisation codes that are single-use and
short-lived, access tokens that expire, refresh tokens that rotate when renewed and expire, a user
who revokes, per-token rate limits answered with the platform's error code, pagination cursors,
multi-part uploads, a review step after publishing, and the signed webhooks the platform sends for
new private messages and comments.

It is pure Python (the standard library only) and never imports Django or the product: production
code never imports it, and it runs on its own::

    python -m platforms.simulator --host 127.0.0.1 --port 8900

Douyin is served under ``/douyin`` (base URL ``http://127.0.0.1:8900/douyin``, the development
default of ``PLATFORMS["douyin"]["base_url"]``) and TikTok under ``/tiktok``. Control endpoints
for scripts and tests are under ``/_sim/`` (JSON; see ``platforms.simulator.server``). State lives
in memory; ``--state FILE`` keeps it in a JSON file between runs.
"""
