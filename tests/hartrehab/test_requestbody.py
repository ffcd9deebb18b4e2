"""Request bodies refused from their headers, before anything reads them to memory or disk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client

from intake.models import ContactSubmission
from tests.clients import URLENCODED
from tests.factories import contact_data
from tests.html import parse, text_of
from tests.staff import admin_url

# Django keeps a file part this size in memory; a larger one goes to a temporary file.
ON_DISK = 64 * 1024
created_files = []


class RecordingTemporaryFileHandler(TemporaryFileUploadHandler):
    """Django's handler for files kept on disk, noting each temporary file it creates."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        created_files.append(self.file.temporary_file_path())


@pytest.fixture(autouse=True)
def _clinic_phone(settings):
    settings.CLINIC_PHONE = "(555) 010-4242"


@pytest.fixture
def upload_dir(settings, tmp_path):
    """Uploads larger than ON_DISK go to files in tmp_path, each one recorded."""
    created_files.clear()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = ON_DISK
    settings.FILE_UPLOAD_HANDLERS = [
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        f"{__name__}.RecordingTemporaryFileHandler",
    ]
    yield tmp_path
    created_files.clear()


def a_file(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.bin", b"x" * size, content_type="application/octet-stream")


def assert_site_page(response, settings) -> None:
    page = parse(response.content)
    assert text_of(page.select_one("h1")) == "We could not read what was sent"
    assert page.select_one(f"main a[href='tel:{settings.CLINIC_PHONE.replace(' ', '')}']")
    assert page.select_one(".crisis a[href='tel:988']")


def test_a_multipart_post_to_the_form_is_refused_unread(db, upload_dir, settings):
    data = {**contact_data(), "attachment": a_file(2 * ON_DISK)}

    response = Client().post("/contact/", data)  # Django's client sends multipart

    assert response.status_code == 415
    assert_site_page(response, settings)
    assert created_files == [] and list(upload_dir.iterdir()) == []
    assert not response.wsgi_request._read_started
    assert not ContactSubmission.objects.exists()


def test_a_small_multipart_post_without_a_file_is_refused_too(db, settings):
    response = Client().post("/contact/", contact_data())

    assert response.status_code == 415
    assert not ContactSubmission.objects.exists()


@pytest.mark.parametrize("content_type", [URLENCODED, "text/plain", "application/json"])
def test_a_body_over_the_limit_is_refused_unread(client, db, settings, content_type):
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.generic("POST", "/contact/", body, content_type=content_type)

    assert response.status_code == 413
    assert_site_page(response, settings)
    assert not response.wsgi_request._read_started


def test_a_body_at_the_limit_reaches_the_form(client, db, settings):
    response = client.post("/contact/", contact_data(message="x" * 3000))

    assert response.status_code == 400  # the form's own answer: the message is too long
    assert parse(response.content).select_one("#id_message")


def test_a_chunked_body_without_a_length_is_refused(client, db):
    response = client.generic(
        "POST",
        "/contact/",
        b"",
        content_type=URLENCODED,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.status_code == 411


@pytest.mark.parametrize("length", ["12abc", "-5", "\u00b2"])
def test_a_length_that_is_not_a_number_is_a_400(client, db, length):
    response = client.generic(
        "POST", "/contact/", b"name=x", content_type=URLENCODED, CONTENT_LENGTH=length
    )

    assert response.status_code == 400


def test_staff_pages_take_no_files_and_no_large_bodies(db, upload_dir, settings):
    login = admin_url("login/")
    small = Client().post(login, {"username": "a", "password": "b", "f": a_file(2 * ON_DISK)})
    large = Client().post(login, {"username": "a", "password": "b", "f": a_file(300 * 1024)})

    assert small.status_code == 200  # the login form's own answer, the file dropped unread
    assert large.status_code == 413
    assert created_files == [] and list(upload_dir.iterdir()) == []


def test_refusals_carry_the_security_headers(client, db):
    response = Client().post("/contact/", contact_data())

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"].split("; ")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
