"""`make bench`: measure the site as deployed (gunicorn, debug off, whitenoise) on this machine."""
