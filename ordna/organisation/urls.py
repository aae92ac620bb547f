from django.urls import path

from ordna.organisation import views

app_name = "organisation"

urlpatterns = [
    path("enheter/", views.unit_list, name="unit_list"),
    path("enheter/ny/", views.unit_create, name="unit_create"),
    path("enheter/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("enheter/<int:pk>/andra/", views.unit_edit, name="unit_edit"),
    path("juridiska-personer/", views.legal_person_list, name="legal_person_list"),
    path("juridiska-personer/ny/", views.legal_person_create, name="legal_person_create"),
    path("juridiska-personer/<int:pk>/", views.legal_person_detail, name="legal_person_detail"),
    path("juridiska-personer/<int:pk>/andra/", views.legal_person_edit, name="legal_person_edit"),
    path("juridiska-personer/<int:pk>/agare/ny/", views.ownership_create, name="ownership_create"),
    path("agande/<int:pk>/avsluta/", views.ownership_end, name="ownership_end"),
]
