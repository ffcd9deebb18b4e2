"""The outcomes page, its chart and its CSV: for clinic managers, editors and superusers.

Every URL here is under /staff/, so hartrehab's staff guard asks for a login with a second
factor first; each view then checks the permission.
"""

import csv
import io

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from outcomes.charts import daily_chart
from outcomes.forms import PeriodForm
from outcomes.reports import FEWER, Report, build_report, shown
from outcomes.roles import VIEW_OUTCOMES


def _staff_view(view):
    """GET only, never cached, and only for those who may see outcomes (403 otherwise)."""
    return require_safe(never_cache(permission_required(VIEW_OUTCOMES, raise_exception=True)(view)))


def _period_form(request) -> PeriodForm:
    return PeriodForm(request.GET or None, today=timezone.localdate())


@_staff_view
def outcomes_page(request):
    form = _period_form(request)
    context = {
        **admin.site.each_context(request),
        "title": "Outcomes",
        "form": form,
        "fewer": FEWER,
    }
    if not form.is_valid():
        return render(request, "outcomes/outcomes_page.html", context, status=400)
    report = build_report(form.chosen_period())
    context |= {"report": report, "query": form.query(), "summary": chart_summary(report)}
    return render(request, "outcomes/outcomes_page.html", context)


# The chart is an image: pygal's inline styles are its only content besides shapes and text.
@csp({"default-src": [NONE], "style-src": [UNSAFE_INLINE]})
@_staff_view
def outcomes_chart(request):
    form = _period_form(request)
    if not form.is_valid():
        return HttpResponse(status=400)
    svg = daily_chart(build_report(form.chosen_period()))
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@_staff_view
def outcomes_csv(request):
    form = _period_form(request)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    report = build_report(form.chosen_period())
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    name = f"outcomes-{report.period.start}-to-{report.period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def chart_summary(report: Report) -> str:
    """The chart in words (its text alternative); the table under it has every day."""
    return (
        f"Line chart of views and requests per day from {report.period.start} to "
        f"{report.period.end}: {shown(report.views.now)} views and "
        f"{shown(report.requests.now)} requests in all. Days with fewer than 5 are left out "
        "of the chart; the table below gives every day."
    )


# A cell starting with one of these runs as a formula in spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_csv(report: Report) -> str:
    """The page's tables as CSV, small counts shown as on the page."""
    out = io.StringIO()
    write = csv.writer(out).writerow
    now, before = (
        f"{report.period.start} to {report.period.end}",
        f"{report.previous.start} to {report.previous.end}",
    )
    write(["Period", now, "Previous period", before])
    write([])
    write(["Articles"])
    write(
        ["Article", "Views", "Form visits", "Requests", "Requests per 1,000 views"]
        + ["Views before", "Form visits before", "Requests before", "Per 1,000 before"]
    )
    for a in report.articles:
        write(
            [_cell(a.title), shown(a.views.now), shown(a.visits.now), shown(a.requests.now)]
            + [a.rate_now, shown(a.views.before), shown(a.visits.before)]
            + [shown(a.requests.before), a.rate_before]
        )
    write([])
    write(["Calls to action"])
    write(
        ["Article", "Position", "Heading", "Visits", "Requests", "Visits before"]
        + ["Requests before"]
    )
    for a in report.articles:
        for c in a.ctas:
            write(
                [_cell(a.title), c.position, _cell(c.heading), shown(c.visits.now)]
                + [shown(c.requests.now), shown(c.visits.before), shown(c.requests.before)]
            )
    write([])
    write(["Views by where visitors came from"])
    write(["Came from", "Views", "Views before"])
    for label, pair in report.referrers:
        write([label, shown(pair.now), shown(pair.before)])
    write([])
    write(["Each day"])
    write(["Day", "Views", "Requests"])
    for day in report.days:
        write([day.day.isoformat(), shown(day.views), shown(day.requests)])
    return out.getvalue()
