"""The connectors' numbers: when tokens are refreshed, how far back a sync reaches, how a delivery
is retried. (The standard sets none of these; 6.4's first-response time is measured from the
platform's acceptance of the reply, see ``platforms.services.deliveries``.)"""

from __future__ import annotations

import datetime as dt

# Refresh an access token this long before it expires (the scheduled refresh runs hourly).
REFRESH_AHEAD = dt.timedelta(hours=24)
# Renew the refresh token itself this long before it expires, where the platform allows it.
RENEW_AHEAD = dt.timedelta(days=5)
# An authorisation started from a page must come back within this time; a link sent to a client
# person stays valid longer, since it waits for them to open it.
AUTHORISATION_TTL = dt.timedelta(minutes=15)
AUTHORISATION_LINK_TTL = dt.timedelta(days=7)

# --- Syncs (platforms.services.syncs) ---------------------------------------------------------------
# A first sync reaches this many days back (ending yesterday, in the agency's time zone); later
# syncs start the day after the last day synced, and never reach further back than SYNC_MAX_DAYS.
SYNC_FIRST_DAYS = 7
SYNC_MAX_DAYS = 60
# A run still "running" after this long is taken for dead (its worker was killed) and no longer
# blocks "sync now".
SYNC_RUN_STALE = dt.timedelta(hours=2)
# The video list: at most this many pages per run, newest first, until the videos are older than
# the figures window; the older catalogue is listed this many pages per run from the kept cursor.
SYNC_VIDEO_PAGES_MAX = 20
SYNC_VIDEO_BACKFILL_PAGES = 5
# Videos published within this window get their figures pulled every sync, this many per call.
SYNC_VIDEO_FIGURES_DAYS = 30
SYNC_VIDEO_STATS_BATCH = 20
# Comments (with their replies) are pulled for the newest videos of this window, at most this
# many videos and this many pages per video (and per comment's replies).
SYNC_COMMENT_DAYS = 14
SYNC_COMMENT_VIDEOS = 10
SYNC_COMMENT_PAGES_MAX = 10

# --- Deliveries (platforms.services.deliveries) -----------------------------------------------------
# After a passing failure a delivery is tried again after these delays in turn (the last repeats),
# and fails for good after DELIVERY_MAX_ATTEMPTS attempts. A rate limit waits for the platform's
# window instead, and does not count as an attempt.
DELIVERY_RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=3),
)
DELIVERY_MAX_ATTEMPTS = 6
# A delivery left "sending" this long was abandoned by its worker: it is checked like an uncertain
# one. Until then another worker leaves it alone (it may be sending it right now).
DELIVERY_SENDING_STALE = dt.timedelta(minutes=10)
# Due deliveries sent per agency by one run of the per-minute fan-out.
DELIVERIES_DUE_BATCH = 500
