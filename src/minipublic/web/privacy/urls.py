from django.urls import path

from minipublic.web.privacy import views

app_name = "privacy"
urlpatterns = [
    path("a/<slug:slug>/data-protection/", views.overview, name="overview"),
    path("a/<slug:slug>/data-protection/<str:pseudonym>/", views.person, name="person"),
    path(
        "a/<slug:slug>/data-protection/<str:pseudonym>/data.json",
        views.person_json,
        name="person_json",
    ),
    path("a/<slug:slug>/data-protection/<str:pseudonym>/erase/", views.erase, name="erase"),
]
