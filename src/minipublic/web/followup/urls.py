from django.urls import path

from minipublic.web.followup import views

app_name = "followup"
urlpatterns = [
    path("a/<slug:slug>/follow-up/", views.tracker, name="tracker"),
    path("a/<slug:slug>/follow-up/feed.atom", views.TrackerFeed(), name="feed"),
    path("a/<slug:slug>/follow-up/follow/", views.follow, name="follow"),
    path("a/<slug:slug>/follow-up/manage/", views.manage, name="manage"),
    path("a/<slug:slug>/follow-up/commitment/", views.commitment, name="commitment"),
    path("a/<slug:slug>/follow-up/tracker.csv", views.export, name="export"),
    path("a/<slug:slug>/follow-up/import/", views.import_csv, name="import"),
    path("a/<slug:slug>/follow-up/send-email/", views.send_email_now, name="send_email"),
    path("a/<slug:slug>/follow-up/statements/", views.statements, name="statements"),
    path(
        "a/<slug:slug>/follow-up/statements/<int:statement_id>/sign/",
        views.statement_sign,
        name="statement_sign",
    ),
    path(
        "a/<slug:slug>/follow-up/statements/<int:statement_id>/publish/",
        views.statement_publish,
        name="statement_publish",
    ),
    path("a/<slug:slug>/follow-up/<int:number>/", views.detail, name="detail"),
    path("a/<slug:slug>/follow-up/<int:number>/respond/", views.respond, name="respond"),
    path("a/<slug:slug>/follow-up/<int:number>/progress/", views.report_progress, name="progress"),
    path("follow-up/confirm/<uuid:token>/", views.confirm, name="confirm"),
    path("follow-up/unsubscribe/<uuid:token>/", views.unsubscribe, name="unsubscribe"),
]
