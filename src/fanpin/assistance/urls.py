from django.urls import path

from fanpin.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("households/<int:household_id>/", views.plan_detail, name="plan"),
    path("households/<int:household_id>/measures/new/", views.measure_new, name="measure_new"),
    path("households/<int:household_id>/visits/new/", views.visit_new, name="visit_new"),
    path("measures/<int:measure_id>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:measure_id>/end/", views.measure_end_view, name="measure_end"),
    path("plans.xlsx", views.plans_xlsx, name="plans_xlsx"),
    path("problems/", views.problem_list, name="problems"),
    path("problems.xlsx", views.problems_xlsx, name="problems_xlsx"),
    path("visits/", views.visit_list, name="visit_list"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("units/<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:unit_id>/persons/new/", views.person_new, name="person_new"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:person_id>/reveal/", views.person_reveal, name="person_reveal"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.item_new, name="item_new"),
    path("catalogue/<int:item_id>/toggle/", views.item_toggle, name="item_toggle"),
]
