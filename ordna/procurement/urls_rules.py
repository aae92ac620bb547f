"""Rule sets: versions, rules, example cases, publishing, the generated guideline (HTML
and PDF) and what-if replays. Included from `urls.py` under `regelverk/`."""

from django.urls import path

from ordna.procurement import views_rules as views

urlpatterns = [
    path("", views.rule_set_list, name="rule_set_list"),
    path("<int:pk>/", views.rule_set_detail, name="rule_set_detail"),
    path("version/<int:pk>/", views.version_detail, name="version_detail"),
    path("version/<int:pk>/exempel/", views.example_results, name="example_results"),
    path("version/<int:pk>/riktlinje/", views.guideline_page, name="guideline"),
    path("version/<int:pk>/riktlinje.pdf", views.guideline_pdf, name="guideline_pdf"),
    path("version/<int:pk>/regel/ny/", views.rule_add, name="rule_add"),
    path("version/<int:pk>/regel/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path(
        "version/<int:pk>/regel/<int:rule_pk>/ta-bort/",
        views.rule_delete,
        name="rule_delete",
    ),
    path("version/<int:pk>/exempel/ny/", views.example_add, name="example_add"),
    path(
        "version/<int:pk>/exempel/<int:example_pk>/",
        views.example_edit,
        name="example_edit",
    ),
    path(
        "version/<int:pk>/exempel/<int:example_pk>/ta-bort/",
        views.example_delete,
        name="example_delete",
    ),
    path("version/<int:pk>/publicera/", views.version_publish, name="version_publish"),
    path("version/<int:pk>/nytt-utkast/", views.draft_create, name="draft_create"),
    path("version/<int:pk>/provkorning/", views.replay_start, name="replay_start"),
    path("provkorning/<int:pk>/", views.replay_detail, name="replay_detail"),
]
