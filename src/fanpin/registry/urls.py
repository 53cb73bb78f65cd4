from django.urls import path

from fanpin.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("", views.household_index, name="household_list"),
    path("new/", views.household_new, name="household_new"),
    path("<int:household_id>/", views.household_detail, name="household_detail"),
    path("<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("<int:household_id>/reveal/", views.household_reveal, name="household_reveal"),
    path("<int:household_id>/members/new/", views.member_new, name="member_new"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_new, name="import_new"),
    path("imports/<int:batch_id>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:batch_id>/merge/", import_views.import_merge, name="import_merge"),
    path("imports/<int:batch_id>/cancel/", import_views.import_cancel_view, name="import_cancel"),
    path("imports/<int:batch_id>/errors.xlsx", import_views.import_error_sheet, name="import_errors"),
    path("export/", import_views.export_new, name="export_new"),
    path("export/<int:job_id>/download/", import_views.export_download, name="export_download"),
]
