from django.urls import path

from articles import staff_views

app_name = "articles_staff"

urlpatterns = [
    path(
        "articles/versions/<int:pk>/preview/", staff_views.version_preview, name="version_preview"
    ),
    path("markdownx/markdownify/", staff_views.markdownify, name="markdownify"),
    path("markdownx/upload/", staff_views.upload, name="upload"),
    path("articles/preview.css", staff_views.preview_stylesheet, name="preview_stylesheet"),
]
