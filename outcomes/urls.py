from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.outcomes_page, name="page"),
    path("chart.svg", views.outcomes_chart, name="chart"),
    path("outcomes.csv", views.outcomes_csv, name="csv"),
]
