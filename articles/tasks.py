"""Workflow emails, sent by the worker (`manage.py db_worker`), never inside a staff request.

The site's rule for outbound calls (see intake/tasks.py): a step stores its email as a
django-tasks task in the step's own transaction, so the email exists exactly when the step
does, and a slow or hung mail server delays an email, never a page.
"""

from django_tasks import task

from articles import notifications


@task()
def mail_submitted(version_id: int) -> int:
    return notifications.send_submitted(version_id)


@task()
def mail_returned(version_id: int) -> int:
    return notifications.send_returned(version_id)


@task()
def mail_published(version_id: int) -> int:
    return notifications.send_published(version_id)
