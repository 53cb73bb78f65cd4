from django.urls import path

from fanpin.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.case_list_view, name="case_list"),
    path("overdue/", views.overdue_view, name="overdue"),
    path("new/<int:household_id>/", views.case_new, name="case_new"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/act/", views.case_act_view, name="case_act"),
    path("<int:case_id>/documents/", views.document_upload, name="document_upload"),
    path("<int:case_id>/objections/", views.objection_add, name="objection_add"),
    path("<int:case_id>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
    path("objections/<int:objection_id>/handle/", views.objection_handle, name="objection_handle"),
]
