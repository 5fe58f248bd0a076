"""Site URLs. To add an app, include its ``urls.py`` here (and list it in settings.MINIPUBLIC_APPS)."""

from django.urls import include, path

# Deliberation first: Django tries the patterns in order, and a vote or a
# map-version poll (hundreds a second) would otherwise try every other app's
# patterns before its own (a tenth of a millisecond each time). Its addresses
# do not overlap any other app's.
urlpatterns = [
    path("", include("minipublic.web.deliberation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("minipublic.web.people.urls")),
    path("", include("minipublic.web.progress.urls")),
    path("", include("minipublic.web.assemblies.urls")),
    path("", include("minipublic.web.recruitment.urls")),
    path("", include("minipublic.web.selection.urls")),
    path("", include("minipublic.web.learning.urls")),
    path("", include("minipublic.web.decisions.urls")),
    path("", include("minipublic.web.followup.urls")),
    path("", include("minipublic.web.evaluation.urls")),
    path("", include("minipublic.web.api.urls")),
    path("", include("minipublic.web.privacy.urls")),
]

handler400 = "minipublic.web.errors.bad_request"
handler403 = "minipublic.web.errors.permission_denied"
handler404 = "minipublic.web.errors.page_not_found"
handler500 = "minipublic.web.errors.server_error"
