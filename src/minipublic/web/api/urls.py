from django.urls import include, path

from minipublic.web.api import views
from minipublic.web.api.api import api

app_name = "api"
urlpatterns = [
    path("a/<slug:slug>/api-tokens/", views.tokens, name="tokens"),
    path("a/<slug:slug>/api-tokens/<int:token_id>/revoke/", views.revoke, name="revoke"),
    # The REST API (django-ninja): its URL names live in this same "api" namespace.
    path("api/", include(api.urls[0])),
]
