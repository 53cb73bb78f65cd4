from django.urls import path

from fanpin.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.runs, name="run_list"),
    path("rules/", views.rules, name="rules"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/findings.xlsx", views.run_download, name="run_download"),
    path("findings/<int:finding_id>/exempt/", views.exemption_new, name="exemption_new"),
    path("exemptions/", views.exemptions, name="exemption_list"),
    path("exemptions/<int:exemption_id>/decide/", views.exemption_decide_view, name="exemption_decide"),
]
