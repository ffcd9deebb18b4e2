"""The site's URLs plus markdownx's views and a staff page with its editor widget, so the
browser tests can prove the staff CSP lets the editor and its live preview work."""

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from markdownx.widgets import AdminMarkdownxWidget

from hartrehab.urls import urlpatterns as site_urlpatterns

EDITOR_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block extrahead %}{{ block.super }}{{ form.media }}{% endblock extrahead %}
{% block content %}
<form method="post">{% csrf_token %}{{ form.as_div }}</form>
{% endblock content %}
"""
)


class EditorForm(forms.Form):
    body = forms.CharField(widget=AdminMarkdownxWidget)


def editor(request):
    return HttpResponse(EDITOR_PAGE.render({"form": EditorForm()}, request))


urlpatterns = [
    path("markdownx/", include("markdownx.urls")),
    path("staff/markdown-editor/", editor),
    *site_urlpatterns,
]
