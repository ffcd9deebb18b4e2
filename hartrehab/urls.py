from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import ArticleSitemap
from articles.views import article_list
from hartrehab import views
from hartrehab.metrics import metrics
from hartrehab.sitemaps import PagesSitemap

urlpatterns = [
    path("", article_list, name="home"),
    path("articles/", include("articles.urls")),
    path("", include("intake.urls")),
    path("privacy/", views.privacy, name="privacy"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": PagesSitemap, "articles": ArticleSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
    # Editors' workflow: staff preview and the wrapped markdownx endpoints.
    path("staff/", include("articles.staff_urls")),
    # Outcomes: which articles and calls to action bring requests (clinic managers, editors).
    path("staff/outcomes/", include("outcomes.urls")),
]

# INTAKE: the 400 page shows the clinic's phone and what to do next.
handler400 = "hartrehab.views.bad_request"
handler500 = "hartrehab.unavailable.server_error"
