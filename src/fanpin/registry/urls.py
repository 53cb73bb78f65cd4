from django.urls import path

from fanpin.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_index, name="household_list"),
    path("new/", views.household_new, name="household_new"),
    path("<int:household_id>/", views.household_detail, name="household_detail"),
    path("<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("<int:household_id>/members/new/", views.member_new, name="member_new"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
]
