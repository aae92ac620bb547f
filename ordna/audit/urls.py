from django.urls import path

from ordna.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("objekt/<str:object_type>/<str:object_id>/", views.object_events, name="object_events"),
    path("person/<int:pk>/", views.user_events, name="user_events"),
    path("verifiera/", views.verify_start, name="verify_start"),
]
