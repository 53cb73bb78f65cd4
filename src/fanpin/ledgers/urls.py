from django.urls import path

from fanpin.ledgers import views
from fanpin.ledgers.campaigns import views as campaign_views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.policy_settings, name="settings"),
    path("campaigns/", campaign_views.campaigns, name="campaign_list"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("campaigns/<int:campaign_id>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/progress.xlsx", campaign_views.campaign_export, name="campaign_export"),
    path(
        "campaigns/targets/<int:target_id>/remove/",
        campaign_views.target_remove,
        name="campaign_target_remove",
    ),
    path("imports/<int:batch_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:batch_id>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:batch_id>/cancel/", views.import_cancel, name="import_cancel"),
    path("<slug:ledger>/", views.entries, name="entry_list"),
    path("<slug:ledger>/new/", views.entry_new, name="entry_new"),
    path("<slug:ledger>/export.xlsx", views.export, name="export"),
    path("<slug:ledger>/template.xlsx", views.template, name="template"),
    path("<slug:ledger>/import/", views.import_new, name="import_new"),
    path("<slug:ledger>/<int:entry_id>/", views.entry_detail, name="entry_detail"),
    path("<slug:ledger>/<int:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("<slug:ledger>/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path("<slug:ledger>/<int:entry_id>/<slug:action>/", views.entry_transition, name="entry_transition"),
]
