from django.urls import path

from minipublic.web.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("a/<slug:slug>/recruitment/", views.overview, name="overview"),
    path("a/<slug:slug>/recruitment/settings/", views.registration_settings_view, name="settings"),
    path(
        "a/<slug:slug>/recruitment/addresses/upload/",
        views.upload_addresses,
        name="upload_addresses",
    ),
    path("a/<slug:slug>/recruitment/weights/", views.set_weights, name="set_weights"),
    path("a/<slug:slug>/recruitment/weights/import/", views.import_weights, name="import_weights"),
    path(
        "a/<slug:slug>/recruitment/addresses/<int:file_id>/lottery/",
        views.run_lottery,
        name="run_lottery",
    ),
    path(
        "a/<slug:slug>/recruitment/addresses/<int:file_id>/lottery/retry/",
        views.retry_lottery,
        name="retry_lottery",
    ),
    path(
        "a/<slug:slug>/recruitment/addresses/<int:file_id>/letters.pdf",
        views.letters_pdf_view,
        name="letters_pdf",
    ),
    path(
        "a/<slug:slug>/recruitment/addresses/<int:file_id>/make-letters/",
        views.make_letters,
        name="make_letters",
    ),
    path(
        "a/<slug:slug>/recruitment/addresses/<int:file_id>/letters.csv",
        views.letters_csv_view,
        name="letters_csv",
    ),
    path("a/<slug:slug>/recruitment/door-knocking/", views.door_knocking, name="door_knocking"),
    path(
        "a/<slug:slug>/recruitment/door-knocking/<int:address_id>/",
        views.record_door_knock,
        name="record_door_knock",
    ),
    path("a/<slug:slug>/recruitment/import/", views.import_pool, name="import_pool"),
    path("a/<slug:slug>/recruitment/registrants/", views.registrants, name="registrants"),
    path("a/<slug:slug>/recruitment/letters-to-post.csv", views.post_csv_view, name="post_csv"),
    path("a/<slug:slug>/recruitment/support/", views.support_board, name="support_board"),
    path(
        "a/<slug:slug>/recruitment/support/<int:pk>/", views.update_support, name="update_support"
    ),
    path("a/<slug:slug>/register/", views.register, name="register"),
    path("a/<slug:slug>/register/done/", views.registered, name="registered"),
    path("a/<slug:slug>/register/<str:code>/", views.register_code, name="register_code"),
    path("a/<slug:slug>/join/<str:token>/", views.open_link, name="open_link"),
]
