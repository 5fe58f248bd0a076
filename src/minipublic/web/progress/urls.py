from django.urls import path

from minipublic.web.progress import views

app_name = "progress"
urlpatterns = [
    path("a/<slug:slug>/progress/<uuid:progress_id>/", views.progress_partial, name="partial"),
]
