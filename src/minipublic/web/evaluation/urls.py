from django.urls import path

from minipublic.web.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("a/<slug:slug>/evaluation/", views.dashboard, name="dashboard"),
    path("a/<slug:slug>/evaluation/analyse/", views.start_analysis, name="start_analysis"),
    path(
        "a/<slug:slug>/evaluation/plots/<int:analysis_id>/<slug:name>.svg", views.plot, name="plot"
    ),
    path(
        "a/<slug:slug>/evaluation/export/responses.csv",
        views.export_responses,
        name="export_responses",
    ),
    path("a/<slug:slug>/evaluation/export/scales.csv", views.export_scales, name="export_scales"),
    path("a/<slug:slug>/evaluation/publish/", views.publish, name="publish"),
    path("a/<slug:slug>/evaluation/waves/", views.waves, name="waves"),
    path("a/<slug:slug>/evaluation/waves/template/", views.apply_template, name="apply_template"),
    path("a/<slug:slug>/evaluation/waves/<str:code>/", views.wave_edit, name="wave_edit"),
    path(
        "a/<slug:slug>/evaluation/waves/<str:code>/status/", views.wave_status, name="wave_status"
    ),
    path(
        "a/<slug:slug>/evaluation/waves/<str:code>/send/", views.send_messages, name="send_messages"
    ),
    path("a/<slug:slug>/evaluation/questions/", views.items, name="items"),
    path("a/<slug:slug>/evaluation/public/import/", views.import_public, name="import_public"),
    path("a/<slug:slug>/evaluation/report/", views.report, name="report"),
    path("a/<slug:slug>/evaluation/report.pdf", views.report_pdf, name="report_pdf"),
    path("a/<slug:slug>/survey/wave/<str:code>/", views.member_survey, name="member_survey"),
    path("a/<slug:slug>/survey/link/<str:token>/", views.survey_link, name="survey_link"),
    path("a/<slug:slug>/survey/public/<str:token>/", views.public_survey, name="public_survey"),
    path("a/<slug:slug>/survey/answer/<int:response_id>/", views.answer, name="answer"),
    path("a/<slug:slug>/survey/mine/", views.my_answers, name="my_answers"),
    path("a/<slug:slug>/survey/mine/<int:response_id>/withdraw/", views.withdraw, name="withdraw"),
]
