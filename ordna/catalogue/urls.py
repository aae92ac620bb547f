from django.urls import path

from ordna.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.mandate, name="mandate"),
    path("roller-och-ansvar/", views.roles, name="roles"),
    path("forslag/ny/", views.propose, name="mandate_propose"),
    path("<int:pk>/anta/", views.adopt, name="mandate_adopt"),
    path("<int:pk>/upphav/", views.repeal, name="mandate_repeal"),
]
