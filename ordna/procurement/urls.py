from django.urls import include, path

from ordna.procurement import views

app_name = "procurement"

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("ny/", views.assessment_create, name="assessment_create"),
    path("avvikelser/", views.deviation_list, name="deviation_list"),
    path("avvikelser/<int:pk>/granska/", views.deviation_review, name="deviation_review"),
    path("ramavtal/", views.framework_list, name="framework_list"),
    path("ramavtal/ny/", views.framework_create, name="framework_create"),
    path("ramavtal/<int:pk>/", views.framework_edit, name="framework_edit"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/beslut/", views.decision_record, name="decision_record"),
    path("<int:pk>/koncernnytta/", views.comparison_create, name="comparison_create"),
    path("regelverk/", include("ordna.procurement.urls_rules")),
]
