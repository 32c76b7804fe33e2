from django.urls import path

from . import answers, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox_view, name="inbox"),
    path("notifications/lu/", views.mark_all_read_view, name="mark_all_read"),
    path("notifications/<str:public_id>/lu/", views.mark_read_view, name="mark_read"),
    path("notifications/preferences/", views.preferences_view, name="preferences"),
    path("reponse/<str:token>/", answers.AnswerPage.as_view(), name="answer"),
    path("c/<slug:cpts_slug>/notifications/envois/", views.sent_view, name="sent"),
    path("c/<slug:cpts_slug>/notifications/envois/<str:public_id>/relancer/",
         views.retry_view, name="retry"),
]
