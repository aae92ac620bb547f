from django.urls import path

from ordna.accounts import views

app_name = "accounts"

urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("personer/", views.person_list, name="person_list"),
    path("personer/ny/", views.person_create, name="person_create"),
    path("personer/<int:pk>/", views.person_detail, name="person_detail"),
    path("personer/<int:pk>/andra/", views.person_edit, name="person_edit"),
    path("losenord/", views.PasswordChangeView.as_view(), name="password_change"),
    path("personer/<int:pk>/roller/ny/", views.membership_grant, name="membership_grant"),
    path("roller/<int:pk>/avsluta/", views.membership_end, name="membership_end"),
    path("api-nycklar/", views.token_list, name="token_list"),
    path("api-nycklar/<int:pk>/aterkalla/", views.token_revoke, name="token_revoke"),
]
