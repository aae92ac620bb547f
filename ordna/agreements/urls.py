from django.urls import path

from ordna.agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
]
