from django.urls import path

from ordna.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("ko/", views.order_queue, name="queue"),
    path("ny/", views.order_create, name="create"),
    path("leveranser/import/", views.delivery_import, name="delivery_import"),
    path("nojdhet/", views.satisfaction, name="satisfaction"),
    path("extern-forsaljning/", views.external_cap, name="external_cap"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/uppfoljning/", views.order_follow_up, name="follow_up"),
    path("<int:pk>/steg/<slug:name>/", views.order_step, name="step"),
    path("<int:pk>/offert/", views.quote_send, name="quote_send"),
    path("<int:pk>/volym/", views.order_volume, name="volume"),
    path("<int:pk>/offert/svar/", views.quote_answer, name="quote_answer"),
    path("<int:pk>/tilldela/", views.order_assign, name="assign"),
    path("<int:pk>/meddelande/", views.message_post, name="message"),
    path("<int:pk>/bilaga/", views.attachment_add, name="attach"),
    path(
        "<int:pk>/bilaga/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<int:pk>/leverans/", views.delivery_report, name="delivery"),
    path("<int:pk>/avvikelse/", views.deviation_file, name="deviation"),
    path("<int:pk>/avvikelse/<int:deviation_pk>/", views.deviation_answer, name="deviation_answer"),
    path("<int:pk>/betyg/", views.order_rate, name="rate"),
]
