from django.urls import path

from minipublic.web.deliberation import views

app_name = "deliberation"
P = "a/<slug:slug>/deliberation/"
urlpatterns = [
    # The two hot paths first (the site's URLconf also puts this app first).
    path("a/<slug:slug>/statements/vote/", views.cast, name="cast"),
    path("a/<slug:slug>/opinion-map/version.json", views.map_version, name="map_version"),
    path(P, views.manage, name="manage"),
    path(P + "statements/add/", views.add_statement, name="add_statement"),
    path(P + "moderate/", views.moderate, name="moderate"),
    path(P + "moderate/<int:statement_id>/", views.moderate_statement, name="moderate_statement"),
    path(P + "moderation-log.csv", views.moderation_csv, name="moderation_csv"),
    path(P + "map/refresh/", views.refresh_map, name="refresh_map"),
    path(P + "room/", views.room, name="room"),
    path(P + "value-map/", views.value_map, name="value_map"),
    path(P + "criteria/", views.criteria, name="criteria"),
    path(P + "proposals/", views.proposals, name="proposals"),
    path(P + "heat-map/", views.heatmap, name="heatmap"),
    path(P + "meta-consensus/", views.dri, name="dri"),
    # Members (and the public when the organiser opens it)
    path("a/<slug:slug>/statements/", views.vote, name="vote"),
    path("a/<slug:slug>/statements/next.json", views.next_statements, name="next"),
    path("a/<slug:slug>/statements/write/", views.write, name="write"),
    path("a/<slug:slug>/statements/<int:statement_id>/edit/", views.edit_own, name="edit_own"),
    path("a/<slug:slug>/opinion-map/", views.opinion_map, name="map"),
    path("a/<slug:slug>/criteria/score/", views.score, name="score"),
    path("a/<slug:slug>/meta-consensus/", views.survey, name="survey"),
]
