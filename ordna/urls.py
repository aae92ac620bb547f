from django.urls import include, path
from django.views.i18n import set_language

from ordna.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("konto/", include("ordna.accounts.urls")),
    path("organisation/", include("ordna.organisation.urls")),
    path("granskning/", include("ordna.audit.urls")),
    path("uppdrag/", include("ordna.catalogue.urls")),
    path("avtal/", include("ordna.agreements.urls")),
    path("bestallningar/", include("ordna.orders.urls")),
    path("vagval/", include("ordna.procurement.urls")),
    path("api/v1/", include("ordna.api.urls")),
    path("", include("ordna.core.urls")),
]

handler404 = "ordna.core.errors.not_found"
handler500 = "ordna.core.errors.server_error"
handler403 = "ordna.core.errors.forbidden"
handler400 = "ordna.core.errors.bad_request"
