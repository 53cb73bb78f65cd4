from django.urls import path

from fanpin.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("area/switch/", views.area_switch, name="area_switch"),
    path("jobs/", views.jobs, name="job_list"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("audit/", views.audit_events, name="audit_list"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
]
