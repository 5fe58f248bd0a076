from django.urls import path

from minipublic.web.assemblies import views

app_name = "assemblies"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.my_assemblies, name="my_assemblies"),
    path("staff/new/", views.create_assembly, name="create"),
    path("a/<slug:slug>/", views.public_page, name="public_page"),
    path("a/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("a/<slug:slug>/phase/next/", views.change_phase, name="change_phase"),
    path("a/<slug:slug>/phase/reopen/", views.reopen_phase, name="reopen_phase"),
    path("a/<slug:slug>/edit/", views.edit_assembly, name="edit"),
    path("a/<slug:slug>/dates/", views.phase_dates, name="phase_dates"),
    path("a/<slug:slug>/sessions/new/", views.schedule_meeting, name="schedule_meeting"),
    path("a/<slug:slug>/staff/", views.staff, name="staff"),
    path(
        "a/<slug:slug>/staff/<int:role_id>/remove/",
        views.remove_staff_role,
        name="remove_staff_role",
    ),
    path("a/<slug:slug>/audit/", views.audit_log, name="audit_log"),
]
