from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from minipublic.web.people import views

app_name = "people"
urlpatterns = [
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        views.StaffSetPasswordView.as_view(),
        name="set_password",
    ),
    path(
        "accounts/password-set/",
        TemplateView.as_view(template_name="people/password_set.html"),
        name="password_set",
    ),
    path("accounts/password-reset/", views.StaffPasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="people/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path("signin/<str:value>/", views.sign_in, name="sign_in"),
    path("signout/", views.sign_out, name="sign_out"),
    path("a/<slug:slug>/me/", views.member_home, name="member_home"),
    path("a/<slug:slug>/members/", views.members, name="members"),
    path("a/<slug:slug>/members/add/", views.add_member, name="add_member"),
    path("a/<slug:slug>/members/send-links/", views.send_sign_in_links, name="send_sign_in_links"),
]
