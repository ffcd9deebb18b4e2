from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.thanks, name="thanks"),
]
