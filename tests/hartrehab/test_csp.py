import pytest

from tests.staff import admin_url, login_staff, make_staff

UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*"}
PUBLIC = ["/", "/articles/opioid-induced-hyperalgesia/", "/privacy/", "/contact/", "/nope/"]


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_locked_down(directives: dict[str, list[str]]) -> None:
    sources = {source for values in directives.values() for source in values}
    assert not sources & UNSAFE
    # Nothing from another site: no host, scheme or wildcard sources at all.
    assert not {s for s in sources if ":" in s or "." in s} - {"data:"}
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_allow_no_script_and_nothing_from_elsewhere(client, seed_article, path):
    directives = policy(client.get(path))

    assert_locked_down(directives)
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'none'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]  # Lighthouse reads robots.txt in the page
    assert "data:" not in directives["img-src"]


@pytest.mark.parametrize("path", ["login/", "", "auth/user/", "auth/user/add/"])
def test_admin_pages_have_the_staff_policy(client, db, path):
    if path != "login/":
        login_staff(client, make_staff(superuser=True))

    response = client.get(admin_url(path))

    assert response.status_code == 200
    directives = policy(response)
    assert_locked_down(directives)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # a nonce only where a template uses one
    assert directives["connect-src"] == ["'self'"]


def test_staff_policy_carries_the_nonce_a_template_used(rf, settings):
    from django.http import HttpResponse

    from hartrehab.csp import SiteCSPMiddleware

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    request = rf.get(admin_url("some/page/"))
    response = SiteCSPMiddleware(view)(request)

    assert f"'nonce-{request.csp_nonce}'" in policy(response)["script-src"]


def test_staff_only_prefixes_get_the_staff_policy(client, db):
    login_staff(client, make_staff())

    directives = policy(client.get("/markdownx/markdownify/"))

    assert directives["default-src"] == ["'self'"] and directives["connect-src"] == ["'self'"]
