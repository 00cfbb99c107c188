from django.urls import path

from incidents.views import public

urlpatterns = [
    path("", public.HomeView.as_view(), name="home"),
    path("incidents/", public.IncidentListView.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", public.IncidentDetailView.as_view(), name="incident-detail"),
    path("actors/", public.ActorListView.as_view(), name="actor-list"),
    path("actors/<slug:slug>/", public.ActorDetailView.as_view(), name="actor-detail"),
    path("sources/<int:pk>/", public.SourceDetailView.as_view(), name="source-detail"),
    path("methodology/", public.MethodologyView.as_view(), name="methodology"),
]
