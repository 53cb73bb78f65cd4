from django.urls import path

from fanpin.monitoring import views
from fanpin.monitoring.departments import views as department_views

app_name = "monitoring"
urlpatterns = [
    path("leads/", views.leads, name="lead_list"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("runs/", views.runs, name="run_list"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("policies/", views.policies, name="policies"),
    path("departments/", department_views.batches, name="department_list"),
    path("departments/<int:batch_id>/", department_views.batch_detail, name="department_detail"),
    path("departments/<int:batch_id>/match/", department_views.batch_match, name="department_match"),
    path("what-if/", views.what_if_view, name="what_if"),
]
