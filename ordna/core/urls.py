from django.urls import path

from ordna.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("jobb/", views.job_list, name="job_list"),
    path("jobb/<uuid:pk>/", views.job_detail, name="job_detail"),
]
