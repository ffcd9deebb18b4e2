"""The outcomes page at /staff/outcomes/: who may see it, what it shows, its chart and CSV."""

import csv
import datetime
import io
from xml.etree import ElementTree

import pytest
from django.core.management import call_command

from outcomes.models import ContactDay, PageDay
from tests.html import parse, text_of
from tests.staff import login_staff, make_staff

URL = "/staff/outcomes/"
TODAY = datetime.date(2026, 6, 30)
SEED = "opioid-induced-hyperalgesia"
ARTICLE = f"/articles/{SEED}/"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def roles(db):
    call_command("setup_roles", verbosity=0)


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 30, 16, tzinfo=datetime.UTC), tick=False)
    return TODAY


@pytest.fixture
def manager(client, roles):
    user = make_staff("manon", groups=("Clinic managers",))
    login_staff(client, user)
    return user


def day(n: int) -> datetime.date:
    """n days before TODAY."""
    return TODAY - datetime.timedelta(days=n)


# Who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ({"groups": ("Clinic managers",)}, 200),
        ({"groups": ("Editors",)}, 200),
        ({"superuser": True}, 200),
        ({"groups": ("Medical reviewers",)}, 403),
        ({"groups": ("Intake staff",)}, 403),
        ({}, 403),  # staff in no group
    ],
)
@pytest.mark.parametrize("path", [URL, URL + "chart.svg", URL + "outcomes.csv"])
def test_permission_matrix(client, roles, who, status, path):
    login_staff(client, make_staff("someone", **who))

    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", [URL, URL + "chart.svg", URL + "outcomes.csv"])
def test_anonymous_visitors_are_sent_to_the_staff_login(client, db, path):
    response = client.get(path)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_password_without_the_second_factor_is_not_enough(client, roles):
    client.force_login(make_staff("manon", groups=("Clinic managers",)))

    assert client.get(URL).status_code == 302


def test_setup_roles_gives_clinic_managers_and_editors_the_page(roles):
    from django.contrib.auth.models import Group

    def can(name):
        return Group.objects.get(name=name).permissions.filter(codename="view_outcomes").exists()

    assert can("Clinic managers") and can("Editors")
    assert not can("Medical reviewers") and not can("Intake staff")


# What it shows ----------------------------------------------------------------------------


def table(doc, table_id: str) -> list[list[str]]:
    rows = doc.find("table", id=table_id).find("tbody").find_all("tr")
    return [[text_of(cell) for cell in row.find_all(["th", "td"])] for row in rows]


def test_each_call_to_action_of_the_article_with_its_visits_and_requests(
    client, manager, seed_article, today
):
    ContactDay.objects.create(day=day(1), source=SEED, cta=2, form_views=40, requests=6)
    ContactDay.objects.create(day=day(2), source=SEED, cta=2, form_views=9, requests=2)
    ContactDay.objects.create(day=day(3), source=SEED, cta=5, form_views=7, requests=1)
    ContactDay.objects.create(day=day(40), source=SEED, cta=2, form_views=11, requests=5)

    rows = table(parse(client.get(URL).content), "outcomes-ctas")

    assert [row[1] for row in rows] == [str(n) for n in range(1, 8)]
    assert rows[0][2] == "Take the First Step Toward Relief."
    # Position 2: 49 visits and 8 requests in the last 30 days, 11 and 5 in the 30 before.
    assert rows[1][3:] == ["49", "8", "11", "5"]
    assert rows[4][3:] == ["7", "fewer than 5", "fewer than 5", "fewer than 5"]


def test_articles_show_views_visits_requests_and_the_rate(client, manager, seed_article, today):
    PageDay.objects.create(day=day(0), path=ARTICLE, referrer="search", views=1500)
    PageDay.objects.create(day=day(3), path=ARTICLE, referrer="none", views=500)
    PageDay.objects.create(day=day(3), path="/privacy/", referrer="none", views=70)
    ContactDay.objects.create(day=day(3), source=SEED, cta=1, form_views=30, requests=12)

    rows = table(parse(client.get(URL).content), "outcomes-articles")

    title = seed_article.published_version.title
    assert rows == [
        [title, "2,000", "30", "12", "6.0"]
        + ["fewer than 5", "fewer than 5", "fewer than 5", "not shown"]
    ]


def test_views_by_kind_of_referrer(client, manager, db, today):
    PageDay.objects.create(day=day(0), path="/", referrer="search", views=20)
    PageDay.objects.create(day=day(1), path="/privacy/", referrer="search", views=5)
    PageDay.objects.create(day=day(2), path="/", referrer="social", views=3)
    PageDay.objects.create(day=day(10), path="/", referrer="other", views=8)

    rows = table(parse(client.get(URL + "?period=7").content), "outcomes-referrers")

    assert rows == [
        ["Search engine", "25", "fewer than 5"],
        ["Social site", "fewer than 5", "fewer than 5"],
        ["Another site", "fewer than 5", "8"],
        ["This site", "fewer than 5", "fewer than 5"],
        ["Direct or none", "fewer than 5", "fewer than 5"],
    ]


@pytest.mark.parametrize(
    ("query", "first", "last", "days"),
    [
        ("", day(29), TODAY, 30),
        ("?period=7", day(6), TODAY, 7),
        ("?period=90", day(89), TODAY, 90),
        ("?period=custom&start=2026-01-01&end=2026-01-31", datetime.date(2026, 1, 1), None, 31),
    ],
)
def test_periods(client, manager, db, today, query, first, last, days):
    rows = table(parse(client.get(URL + query).content), "outcomes-days-table")

    assert len(rows) == days and rows[0][0] == first.isoformat()
    assert last is None or rows[-1][0] == last.isoformat()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=custom&end=2026-01-31", "Enter the first day of the period"),
        ("?period=custom&start=2026-02-01&end=2026-01-31", "on or after the first day"),
        ("?period=custom&start=yesterday&end=2026-01-31", "Enter the first day as a date"),
        ("?period=custom&start=2020-01-01&end=2026-01-31", "at most 366 days"),
        ("?period=12", "Choose 7, 30 or 90 days"),
    ],
)
def test_a_bad_period_is_a_400_that_says_what_is_wrong(client, manager, db, today, query, message):
    page = client.get(URL + query)
    export = client.get(URL + "outcomes.csv" + query)

    assert page.status_code == 400 and message in text_of(parse(page.content))
    assert export.status_code == 400 and message in export.content.decode()
    assert client.get(URL + "chart.svg" + query).status_code == 400


# Small counts, chart, CSV -----------------------------------------------------------------


def test_small_counts_are_hidden_on_the_page_and_in_the_csv(client, manager, db, today):
    PageDay.objects.create(day=day(1), path="/", referrer="none", views=4)
    PageDay.objects.create(day=day(2), path="/", referrer="none", views=5)
    ContactDay.objects.create(day=day(1), source="", cta=0, form_views=9, requests=1)

    days = {row[0]: row[1:] for row in table(parse(client.get(URL).content), "outcomes-days-table")}
    export = list(csv.reader(io.StringIO(client.get(URL + "outcomes.csv").content.decode())))
    exported = {row[0]: row[1:] for row in export if len(row) == 3 and row[0][:2] == "20"}

    for shown in (days, exported):
        assert shown[day(1).isoformat()] == ["fewer than 5", "fewer than 5"]
        assert shown[day(2).isoformat()] == ["5", "fewer than 5"]
    assert "1" not in {cell for row in export for cell in row}
    assert "4" not in {cell for row in export for cell in row}


def test_the_csv_is_a_download_named_for_its_period(client, manager, db, today):
    response = client.get(URL + "outcomes.csv?period=7")

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="outcomes-2026-06-24-to-2026-06-30.csv"'
    )


def chart_points(svg: bytes) -> dict[str, dict[str, int]]:
    """{series title: {day: value}} read from the dots pygal draws."""
    root = ElementTree.fromstring(svg)
    titles = [text_of_xml(t) for t in root.iter(f"{SVG}title")]
    series = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if "series" not in classes or not group.findall(f".//{SVG}circle"):
            continue
        index = int(next(c for c in classes if c.startswith("serie-"))[6:])
        points = {}
        for dot in group.iter(f"{SVG}g"):
            descs = {d.get("class"): d.text for d in dot.findall(f"{SVG}desc")}
            if "value" in descs:
                points[descs["x_label"]] = int(descs["value"].replace(",", ""))
        series[index] = points
    assert titles  # the chart names what it shows
    return {"Views": series[0], "Requests": series[1]}


def text_of_xml(element) -> str:
    return "".join(element.itertext())


def test_the_chart_is_valid_svg_with_no_script(client, manager, db, today):
    PageDay.objects.create(day=day(1), path="/", referrer="none", views=50)
    response = client.get(URL + "chart.svg")

    assert response["Content-Type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)  # raises unless well-formed XML
    assert root.tag == f"{SVG}svg"
    for element in root.iter():
        assert not element.tag.endswith("script")
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        for name in ("href", "{http://www.w3.org/1999/xlink}href"):
            assert not element.get(name, "").strip().lower().startswith("javascript:")
    assert b"<script" not in response.content
    assert "script-src" not in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_the_chart_and_the_table_agree(client, manager, db, today):
    for n, (views, requests) in enumerate([(120, 6), (3, 0), (64, 2), (8, 9), (0, 0), (47, 5)]):
        PageDay.objects.create(day=day(n), path="/", referrer="none", views=views)
        ContactDay.objects.create(day=day(n), source="", cta=0, form_views=0, requests=requests)

    page = parse(client.get(URL + "?period=7").content)
    points = chart_points(client.get(URL + "chart.svg?period=7").content)

    rows = table(page, "outcomes-days-table")
    assert len(rows) == 7
    for date, views, requests in rows:
        for title, shown in (("Views", views), ("Requests", requests)):
            if shown == "fewer than 5":
                assert date not in points[title], (title, date)
            else:
                assert points[title][date] == int(shown.replace(",", "")), (title, date)
    assert (
        points["Views"][day(0).isoformat()] == 120 and points["Requests"][day(3).isoformat()] == 9
    )
    img = page.find("figure", class_="outcomes-chart").find("img")
    assert img["src"] == "/staff/outcomes/chart.svg?period=7"
    assert "242 views" in img["alt"] and "22 requests" in img["alt"]


def test_the_admin_index_leads_those_who_may_see_it_to_the_page(client, roles):
    from tests.staff import admin_url

    login_staff(client, make_staff("manon", groups=("Clinic managers",)))
    index = parse(client.get(admin_url()).content)
    link = index.find("a", string="Views and requests (the outcomes page)")
    assert link is not None
    assert client.get(link["href"])["Location"] == URL

    client.logout()
    login_staff(client, make_staff("ingrid", groups=("Intake staff",)))
    index = parse(client.get(admin_url()).content)
    assert index.find("a", string="Views and requests (the outcomes page)") is None
    assert client.get(link["href"]).status_code == 403
