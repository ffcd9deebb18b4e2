"""What the outcomes page shows: counts for a period and the one before it.

Counts below SMALLEST_SHOWN are shown as "fewer than 5", on the page, in the chart and in
the CSV alike, so no single request (or visit) can be picked out.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Sum

from articles.models import Article
from articles.rendering import render_markdown
from outcomes.models import ContactDay, PageDay, Referrer

SMALLEST_SHOWN = 5
FEWER = f"fewer than {SMALLEST_SHOWN}"


def shown(count: int) -> str:
    """A count as staff see it: small ones hidden behind "fewer than 5"."""
    return FEWER if count < SMALLEST_SHOWN else f"{count:,}"


def plotted(count: int) -> int | None:
    """A count as the chart draws it: small ones are left out (a gap), as in the table."""
    return None if count < SMALLEST_SHOWN else count


def per_thousand(requests: int, views: int) -> str:
    """Requests per 1,000 views, only when neither count is small (it would reveal them)."""
    if requests < SMALLEST_SHOWN or views < SMALLEST_SHOWN:
        return "not shown"
    return f"{requests * 1000 / views:.1f}"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length that ends the day before this one starts."""
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    def dates(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=n) for n in range(self.days)]

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass
class Pair:
    """A count in the period and in the period before."""

    now: int = 0
    before: int = 0

    def add(self, period: Period, day: datetime.date, count: int) -> None:
        if day in period:
            self.now += count
        else:
            self.before += count


@dataclass
class CtaRow:
    position: int
    heading: str
    visits: Pair = field(default_factory=Pair)
    requests: Pair = field(default_factory=Pair)


@dataclass
class ArticleRow:
    title: str
    slug: str
    path: str
    views: Pair = field(default_factory=Pair)
    visits: Pair = field(default_factory=Pair)
    requests: Pair = field(default_factory=Pair)
    ctas: list[CtaRow] = field(default_factory=list)

    @property
    def rate_now(self) -> str:
        return per_thousand(self.requests.now, self.views.now)

    @property
    def rate_before(self) -> str:
        return per_thousand(self.requests.before, self.views.before)


@dataclass
class Day:
    day: datetime.date
    views: int = 0
    requests: int = 0


@dataclass
class Report:
    period: Period
    previous: Period
    articles: list[ArticleRow]
    referrers: list[tuple[str, Pair]]
    days: list[Day]
    views: Pair
    requests: Pair


def build_report(period: Period) -> Report:
    """Every count the outcomes page shows for `period` and the period before it."""
    previous = period.previous()
    pages = (
        PageDay.objects.between(previous.start, period.end)
        .values("day", "path", "referrer")
        .annotate(n=Sum("views"))
    )
    contact = (
        ContactDay.objects.between(previous.start, period.end)
        .values("day", "source", "cta")
        .annotate(visits=Sum("form_views"), requests=Sum("requests"))
    )
    articles = _article_rows()
    by_path = {row.path: row for row in articles.values()}
    referrers = {kind: Pair() for kind in Referrer}
    days = {day: Day(day) for day in period.dates()}
    views, requests = Pair(), Pair()

    for row in pages:
        views.add(period, row["day"], row["n"])
        referrers[Referrer(row["referrer"])].add(period, row["day"], row["n"])
        if row["path"] in by_path:
            by_path[row["path"]].views.add(period, row["day"], row["n"])
        if row["day"] in days:
            days[row["day"]].views += row["n"]
    for row in contact:
        requests.add(period, row["day"], row["requests"])
        if row["day"] in days:
            days[row["day"]].requests += row["requests"]
        article = articles.get(row["source"])
        if article is None:
            continue
        article.visits.add(period, row["day"], row["visits"])
        article.requests.add(period, row["day"], row["requests"])
        if row["cta"]:
            cta = _cta_row(article, row["cta"])
            cta.visits.add(period, row["day"], row["visits"])
            cta.requests.add(period, row["day"], row["requests"])

    return Report(
        period=period,
        previous=previous,
        articles=sorted(articles.values(), key=lambda a: (-a.views.now, a.title)),
        referrers=[(kind.label, pair) for kind, pair in referrers.items()],
        days=list(days.values()),
        views=views,
        requests=requests,
    )


def _article_rows() -> dict[str, ArticleRow]:
    """Each published article, with its calls to action (position, heading) in page order."""
    rows = {}
    for article in Article.objects.published().select_related("published_version"):
        version = article.published_version
        row = ArticleRow(title=version.title, slug=article.slug, path=article.get_absolute_url())
        ctas = render_markdown(version.body, source=article.slug).ctas
        row.ctas = [CtaRow(n, cta.heading) for n, cta in enumerate(ctas, start=1)]
        rows[article.slug] = row
    return rows


def _cta_row(article: ArticleRow, position: int) -> CtaRow:
    for cta in article.ctas:
        if cta.position == position:
            return cta
    # Counted from an earlier version of the article that had more calls to action.
    cta = CtaRow(position, "(no longer on the page)")
    article.ctas.append(cta)
    article.ctas.sort(key=lambda c: c.position)
    return cta
