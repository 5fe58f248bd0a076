from django.urls import path

from minipublic.web.decisions import views

app_name = "decisions"
R = "a/<slug:slug>/decisions/r/<int:number>/"
B = "a/<slug:slug>/decisions/ballots/<int:ballot_id>/"
urlpatterns = [
    path("a/<slug:slug>/decisions/", views.overview, name="overview"),
    path("a/<slug:slug>/decisions/themes/new/", views.theme_new, name="theme_new"),
    path(
        "a/<slug:slug>/decisions/amendments/close/",
        views.amendments_close_all,
        name="amendments_close_all",
    ),
    path("a/<slug:slug>/decisions/new/", views.recommendation_new, name="recommendation_new"),
    path(R, views.recommendation, name="recommendation"),
    path(R + "edit/", views.recommendation_edit, name="recommendation_edit"),
    path(R + "amendments/", views.amendment_new, name="amendment_new"),
    path(R + "amendments/toggle/", views.amendments_toggle, name="amendments_toggle"),
    path(
        R + "amendments/<int:amendment_id>/decide/", views.amendment_decide, name="amendment_decide"
    ),
    path(
        R + "amendments/<int:amendment_id>/promote/",
        views.amendment_promote,
        name="amendment_promote",
    ),
    path(R + "minority/new/", views.statement_new, name="statement_new"),
    path(R + "minority/<int:statement_id>/sign/", views.statement_sign, name="statement_sign"),
    path("a/<slug:slug>/decisions/ballots/new/", views.ballot_new, name="ballot_new"),
    path(B, views.ballot, name="ballot"),
    path(B + "open/", views.ballot_open, name="ballot_open"),
    path(B + "close/", views.ballot_close, name="ballot_close"),
    path(B + "paper/", views.paper, name="paper"),
    path("a/<slug:slug>/decisions/foreword/", views.foreword, name="foreword"),
    path("a/<slug:slug>/vote/", views.vote, name="vote"),
    path("a/<slug:slug>/vote/<int:ballot_id>/", views.vote_cast, name="vote_cast"),
    path("a/<slug:slug>/results/", views.results, name="results"),
    path("a/<slug:slug>/results/tally.csv", views.tally_file, name="tally"),
    path("a/<slug:slug>/report/", views.report, name="report"),
    path("a/<slug:slug>/report.pdf", views.report_pdf, name="report_pdf"),
]
