#!/bin/sh
# The image's entrypoint: prepares the database when asked, then runs the container's command
# (gunicorn by default). ENTRYPOINT_MIGRATE=1 runs migrations and updates the staff groups
# (setup_roles, so staff can be invited from the admin), and ENTRYPOINT_LOAD_CONTENT=1
# loads content/ first; set them on one container only when several start at once. Loading
# keeps an article whose newest version was published in the admin (it prints which), so a
# restart after an editor's publish starts as before.
set -eu

if [ "${ENTRYPOINT_MIGRATE:-0}" = "1" ]; then
    echo "entrypoint: manage.py migrate"
    python manage.py migrate --noinput
    echo "entrypoint: manage.py setup_roles"
    python manage.py setup_roles
fi

if [ "${ENTRYPOINT_LOAD_CONTENT:-0}" = "1" ]; then
    echo "entrypoint: manage.py load_content --keep-admin-work"
    python manage.py load_content --keep-admin-work
fi

exec "$@"
