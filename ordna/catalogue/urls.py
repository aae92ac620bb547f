from django.urls import path

from ordna.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.mandate, name="mandate"),
    path("roller-och-ansvar/", views.roles, name="roles"),
    path("forslag/ny/", views.propose, name="mandate_propose"),
    path("<int:pk>/anta/", views.adopt, name="mandate_adopt"),
    path("<int:pk>/upphav/", views.repeal, name="mandate_repeal"),
    # Service areas, services, price lists, allocation keys
    path("omraden/", views.service_area_list, name="service_area_list"),
    path("omraden/<int:pk>/andra/", views.service_area_edit, name="service_area_edit"),
    path("tjanster/", views.service_list, name="service_list"),
    path("tjanster/ny/", views.service_create, name="service_create"),
    path("tjanster/<int:pk>/", views.service_detail, name="service_detail"),
    path("tjanster/<int:pk>/andra/", views.service_edit, name="service_edit"),
    path("prislistor/", views.price_list_list, name="price_list_list"),
    path("prislistor/ny/", views.price_list_create, name="price_list_create"),
    path("prislistor/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("prislistor/<int:pk>/pris/ny/", views.price_add, name="price_add"),
    path("prislistor/<int:pk>/pris/<int:service_pk>/", views.price_edit, name="price_edit"),
    path(
        "prislistor/<int:pk>/pris/<int:service_pk>/ta-bort/",
        views.price_remove,
        name="price_remove",
    ),
    path("prislistor/<int:pk>/publicera/", views.price_list_publish, name="price_list_publish"),
    path("prislistor/<int:pk>/indexera/", views.price_list_index, name="price_list_index"),
    path(
        "prislistor/<int:pk>/forhandsvisning/",
        views.price_list_preview,
        name="price_list_preview",
    ),
    path("nycklar/", views.key_list, name="key_list"),
    path("nycklar/ny/", views.key_create, name="key_create"),
    path("nycklar/<int:pk>/", views.key_detail, name="key_detail"),
    path("nycklar/<int:pk>/import/", views.key_import, name="key_import"),
]
