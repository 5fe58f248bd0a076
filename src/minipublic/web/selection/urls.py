from django.urls import path

from minipublic.web.selection import views

app_name = "selection"
urlpatterns = [
    path("a/<slug:slug>/selection/", views.overview, name="overview"),
    path("a/<slug:slug>/selection/quotas/", views.quotas, name="quotas"),
    path("a/<slug:slug>/selection/quotas/features/", views.quota_features, name="quota_features"),
    path("a/<slug:slug>/selection/quotas/check/", views.quota_check, name="quota_check"),
    path("a/<slug:slug>/selection/quotas/relax/", views.quota_relax, name="quota_relax"),
    path("a/<slug:slug>/selection/run/", views.start_run, name="start_run"),
    path("a/<slug:slug>/selection/runs/<int:run_id>/", views.run_detail, name="run"),
    path(
        "a/<slug:slug>/selection/runs/<int:run_id>/probabilities.csv",
        views.probabilities_csv,
        name="probabilities_csv",
    ),
    path("a/<slug:slug>/selection/runs/<int:run_id>/commit/", views.commit, name="commit"),
    path("a/<slug:slug>/selection/commitment/withdraw/", views.withdraw, name="withdraw"),
    path("a/<slug:slug>/selection/runs/<int:run_id>/draw/", views.draw, name="draw"),
    path("a/<slug:slug>/selection/panel/", views.panel, name="panel"),
    path("a/<slug:slug>/selection/panel/invite/", views.invite, name="invite"),
    path("a/<slug:slug>/selection/panel/<int:member_id>/respond/", views.respond, name="respond"),
    path("a/<slug:slug>/selection/panel/<int:member_id>/replace/", views.replace, name="replace"),
    path("a/<slug:slug>/seat/<str:value>/", views.seat, name="seat"),
    path("a/<slug:slug>/lottery/", views.transparency, name="transparency"),
    path("a/<slug:slug>/lottery/<str:name>", views.published_file, name="published_file"),
]
