from django.urls import path

from fanpin.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("area/<str:code>/", views.area, name="area"),
    path("area/<str:code>/xlsx/", views.area_xlsx, name="area_xlsx"),
    path("area/<str:code>/pdf/", views.area_pdf, name="area_pdf"),
    path("area/<str:code>/rollup/", views.rollup_new, name="rollup_new"),
    path("map/<str:code>.geojson", views.map_geojson, name="map"),
    path("households/<int:household_id>/plan.pdf", views.household_plan_pdf, name="household_plan_pdf"),
    path(
        "households/<int:household_id>/visit-form.pdf",
        views.household_visit_form_pdf,
        name="household_visit_form",
    ),
]
