from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from ordna.api import cap_views, order_views, route_views, views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("units", views.UnitViewSet, basename="unit")
router.register("legal-persons", views.LegalPersonViewSet, basename="legal-person")
router.register("ownerships", views.OwnershipViewSet, basename="ownership")
router.register("tokens", views.ApiTokenViewSet, basename="token")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
router.register("jobs", views.JobViewSet, basename="job")
router.register("mandate-tasks", views.MandateTaskViewSet, basename="mandate-task")
router.register("service-areas", views.ServiceAreaViewSet, basename="service-area")
router.register("services", views.ServiceViewSet, basename="service")
router.register("price-lists", views.PriceListViewSet, basename="price-list")
router.register("allocation-keys", views.AllocationKeyViewSet, basename="allocation-key")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("orders", order_views.OrderViewSet, basename="order")
router.register(
    "external-sales-caps", cap_views.ExternalSalesCapViewSet, basename="external-sales-cap"
)
router.register(
    "route-assessments", route_views.RouteAssessmentViewSet, basename="route-assessment"
)
router.register("rule-sets", route_views.RuleSetViewSet, basename="rule-set")
router.register("rule-set-versions", route_views.RuleSetVersionViewSet, basename="rule-set-version")
router.register(
    "framework-agreements",
    route_views.FrameworkAgreementViewSet,
    basename="framework-agreement",
)

urlpatterns = [
    path("me/", views.me, name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Without a trailing slash: the name issue 6 gives it (`ordna route evaluate` in the API).
    path(
        "route-assessments/evaluate",
        route_views.evaluate,
        name="route-assessment-evaluate",
    ),
    *router.urls,
]
