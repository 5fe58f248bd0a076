from django.urls import path

from minipublic.web.learning import views

app_name = "learning"
S = "a/<slug:slug>/learning/"
M = "a/<slug:slug>/me/learning/"
urlpatterns = [
    # Staff
    path(S, views.sessions, name="sessions"),
    path(S + "sessions/new/", views.session_new, name="session_new"),
    path(S + "sessions/<int:meeting_id>/", views.session, name="session"),
    path(S + "sessions/<int:meeting_id>/edit/", views.session_edit, name="session_edit"),
    path(S + "sessions/<int:meeting_id>/tables/", views.tables, name="tables"),
    path(S + "sessions/<int:meeting_id>/tables/start/", views.start_tables, name="start_tables"),
    path(S + "sessions/<int:meeting_id>/tables/reseat/", views.reseat, name="reseat"),
    path(S + "sessions/<int:meeting_id>/tables/print/", views.tables_print, name="tables_print"),
    path(S + "evidence/", views.evidence, name="evidence"),
    path(S + "evidence/speakers/add/", views.speaker_add, name="speaker_add"),
    path(S + "evidence/add/", views.contribution_add, name="contribution_add"),
    path(S + "evidence/speakers/<int:speaker_id>/", views.speaker_edit, name="speaker_edit"),
    path(S + "evidence/<int:contribution_id>/", views.contribution_edit, name="contribution_edit"),
    path(S + "questions/", views.questions, name="questions"),
    path(S + "questions/<int:question_id>/answer/", views.question_answer, name="question_answer"),
    path(S + "claims/", views.claims, name="claims"),
    path(S + "claims/criteria/add/", views.criterion_add, name="criterion_add"),
    path(S + "claims/<int:claim_id>/respond/", views.claim_respond, name="claim_respond"),
    path("a/<slug:slug>/claims/flag/", views.claim_flag, name="claim_flag"),
    # Members
    path(M + "evidence/", views.my_evidence, name="my_evidence"),
    path(M + "evidence/<int:contribution_id>/rate/", views.rate, name="rate"),
    path(M + "evidence/request-speaker/", views.request_speaker, name="request_speaker"),
    path(M + "questions/", views.my_questions, name="my_questions"),
    path(M + "questions/ask/", views.ask, name="ask"),
    path(M + "questions/<int:question_id>/vote/", views.vote_question, name="vote_question"),
    path(M + "claims/", views.my_claims, name="my_claims"),
    path(M + "claims/criteria/", views.vote_criteria, name="vote_criteria"),
    # Public
    path("a/<slug:slug>/claims/", views.public_claims, name="public_claims"),
]
