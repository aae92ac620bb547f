from django.urls import path

from ordna.agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("nytt/", views.agreement_create, name="create"),
    path("rulla-over/", views.rollover, name="rollover"),
    path("ar/<int:year>/", views.cycle_set, name="cycle"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/rader/ny/", views.line_add, name="line_add"),
    path("<int:pk>/rader/<int:line_pk>/", views.line_edit, name="line_edit"),
    path("<int:pk>/rader/<int:line_pk>/ta-bort/", views.line_remove, name="line_remove"),
    path("<int:pk>/forslag/", views.round_submit, name="propose"),
    path("<int:pk>/jamfor/", views.rounds_compare, name="compare"),
    path("<int:pk>/godkann/", views.agreement_agree, name="agree"),
    path("<int:pk>/signera/", views.agreement_sign, name="sign"),
    path("<int:pk>/andring/", views.agreement_amend, name="amend"),
    path("<int:pk>/avsluta/", views.agreement_terminate, name="terminate"),
    path("<int:pk>/volym/", views.volume_policy_set, name="volume_policy"),
    path("<int:pk>/pdf/", views.agreement_pdf, name="pdf"),
    path("<int:pk>/xlsx/", views.agreement_xlsx, name="xlsx"),
]
