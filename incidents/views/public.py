"""Public pages. Every queryset starts from a ``published()``/``with_public_page()`` method."""

from __future__ import annotations

from django.views.generic import DetailView, ListView, TemplateView

from incidents.models import Actor, Incident, Source


class HomeView(TemplateView):
    template_name = "incidents/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = Incident.objects.published().for_list()[:10]
        return context


class IncidentListView(ListView):
    template_name = "incidents/incident_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Incident.objects.published().for_list()


class IncidentDetailView(DetailView):
    template_name = "incidents/incident_detail.html"

    def get_queryset(self):
        return Incident.objects.with_public_page().for_detail()


class ActorListView(ListView):
    template_name = "incidents/actor_list.html"
    paginate_by = 100

    def get_queryset(self):
        return Actor.objects.published()


class ActorDetailView(DetailView):
    template_name = "incidents/actor_detail.html"

    def get_queryset(self):
        return Actor.objects.published()


class SourceDetailView(DetailView):
    template_name = "incidents/source_detail.html"

    def get_queryset(self):
        return Source.objects.published()
