from django.urls import path

from fanpin.divisions import views

app_name = "divisions"
urlpatterns = [
    path("", views.division_index, name="index"),
    path("pick/", views.division_pick, name="pick"),
    path("upload/", views.division_upload, name="upload"),
    path("<str:code>/", views.division_detail, name="detail"),
    path("<str:code>/export.xlsx", views.division_export, name="export"),
]
