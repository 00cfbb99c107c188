from django.urls import path

from incidents.views import export, public

urlpatterns = [
    path("", public.HomeView.as_view(), name="home"),
    path("incidents/", public.IncidentListView.as_view(), name="incident-list"),
    path("incidents/facets/", public.IncidentFacetsView.as_view(), name="incident-facets"),
    path("incidents/<int:pk>/", public.IncidentDetailView.as_view(), name="incident-detail"),
    path("actors/", public.ActorListView.as_view(), name="actor-list"),
    path("actors/<slug:slug>/", public.ActorDetailView.as_view(), name="actor-detail"),
    path("sources/", public.SourceListView.as_view(), name="source-list"),
    path("sources/<int:pk>/", public.SourceDetailView.as_view(), name="source-detail"),
    path("persons/<slug:slug>/", public.PersonDetailView.as_view(), name="person-detail"),
    path("methodology/", public.MethodologyView.as_view(), name="methodology"),
    path("data/", export.DataView.as_view(), name="data"),
    path("export/<slug:table>.csv", export.export_csv, name="export-csv"),
]
