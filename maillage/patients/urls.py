from django.urls import path

from . import views

app_name = "patients"

P = "c/<slug:cpts_slug>/patients/"

urlpatterns = [
    path(P + "doublons/", views.reviews_view, name="reviews"),
    path(P + "suggestions/", views.patient_suggestions_view, name="suggestions"),
    path(P + "doublons/<str:public_id>/", views.review_view, name="review"),
]
