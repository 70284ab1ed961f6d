"""Public pages: processes, ideas, the vote, results with their explanation, realisation."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from territoire.core.models import District
from territoire.participation import selectors, services
from territoire.participation.explain import explain_row
from territoire.participation.forms import (
    BallotForm,
    CommentForm,
    FlagForm,
    IdeaForm,
    RegisterForm,
)
from territoire.participation.models import Ballot, Comment, IdeaStatus, Phase
from territoire.participation.models.process import BallotKind
from territoire.participation.services.voting import budgets_for

PER_PAGE = 20


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_GET
def process_list(request: HttpRequest) -> HttpResponse:
    processes = selectors.processes_public(request.tenant)  # type: ignore[attr-defined]
    return render(request, "participation/process_list.html", {"processes": processes})


@require_GET
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    phase = process.current_phase()
    timeline = [
        (Phase.IDEAS, process.ideas_start),
        (Phase.STUDY, process.study_start),
        (Phase.VOTE, process.vote_start),
        (Phase.RESULTS, process.vote_end),
        (Phase.REALISATION, process.realisation_start),
    ]
    return render(
        request,
        "participation/process_detail.html",
        {
            "process": process,
            "phase": phase,
            "phase_label": Phase(phase).label,
            "timeline": [(p.value, p.label, d) for p, d in timeline],
            "budgets": process.budgets.select_related("district"),
            "answers": selectors.answer_rate(process),
            "vote_open": process.vote_is_open(),
        },
    )


@require_GET
def idea_list(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    ideas = selectors.ideas_public(process)
    district = request.GET.get("quartier", "")
    status = request.GET.get("statut", "")
    if district.isdigit():
        ideas = ideas.filter(district_id=int(district))
    if status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    page = Paginator(ideas.order_by("-supports_count", "-created"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [i.lon, i.lat]},
            "properties": {"label": i.title, "url": f"{i.pk}/"},
        }
        for i in page.object_list
        if i.lon is not None and i.lat is not None
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "participation/idea_list.html",
        {
            "process": process,
            "page": page,
            "query": query.urlencode(),
            "districts": District.objects.for_tenant(process.tenant),
            "statuses": IdeaStatus.choices,
            "district": district,
            "status": status,
            "geojson": {"type": "FeatureCollection", "features": features},
            "answers": selectors.answer_rate(process),
            "can_propose": process.current_phase() == Phase.IDEAS,
        },
    )


@login_required
def idea_new(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    form = IdeaForm(request.POST or None, tenant=process.tenant)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            idea = services.idea_submit(
                author=request.user,  # type: ignore[arg-type]
                process=process,
                title=d["title"],
                description=d["description"],
                district=d["district"],
                lon=d["lon"],
                lat=d["lat"],
                estimated_cost=d["estimated_cost"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(
                request, _("Merci ! Votre idée est publiée ; les services y répondront.")
            )
            return redirect("participation:idea", tenant=process.tenant.slug, slug=slug, pk=idea.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "participation/idea_form.html", {"process": process, "form": form}, status=status
    )


@require_GET
def idea_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    idea = selectors.idea_public(process, pk)
    supported = request.user.is_authenticated and idea.supports.filter(user=request.user).exists()
    return render(
        request,
        "participation/idea_detail.html",
        {
            "process": process,
            "idea": idea,
            "comments": idea.comments.filter(hidden=False).select_related("author")[:100],
            "comment_form": CommentForm(),
            "flag_form": FlagForm(),
            "supported": supported,
            "can_support": process.current_phase() == Phase.IDEAS,
        },
    )


@login_required
@require_POST
def idea_support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    idea = selectors.idea_public(process, pk)
    try:
        now = services.idea_support(user=request.user, idea=idea)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Soutien enregistré.") if now else _("Soutien retiré."))
    return redirect("participation:idea", tenant=process.tenant.slug, slug=slug, pk=pk)


@login_required
@require_POST
def idea_comment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    idea = selectors.idea_public(process, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Le commentaire est vide ou trop long (3 000 caractères au plus).")
        )
    else:
        try:
            services.comment_add(author=request.user, idea=idea, body=form.cleaned_data["body"])  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Commentaire publié."))
    return redirect("participation:idea", tenant=process.tenant.slug, slug=slug, pk=pk)


@login_required
@require_POST
def flag(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    form = FlagForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if kind == "idee":
        idea = selectors.idea_public(process, pk)
        services.flag_add(user=request.user, reason=reason, idea=idea)  # type: ignore[arg-type]
        target_idea = idea.pk
    elif kind == "commentaire":
        comment = (
            Comment.objects.for_tenant(process.tenant)
            .filter(pk=pk, idea__process=process, hidden=False)
            .select_related("idea")
            .first()
        )
        if comment is None:
            raise Http404
        services.flag_add(user=request.user, reason=reason, comment=comment)  # type: ignore[arg-type]
        target_idea = comment.idea_id
    else:
        raise Http404
    messages.success(request, _("Merci : votre signalement sera examiné par un modérateur."))
    return redirect("participation:idea", tenant=process.tenant.slug, slug=slug, pk=target_idea)


@login_required
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1: eligibility (declared once, changeable until a ballot is cast); then envelopes."""
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    record = selectors.voter_record(process, request.user)  # type: ignore[arg-type]
    editing = record is None or request.GET.get("modifier") == "1" or request.method == "POST"
    form = None
    if editing:
        initial = {}
        if record is not None:
            initial = {
                "relation": record.relation,
                "district": record.district_id,
                "sex": record.sex,
            }
        form = RegisterForm(request.POST or None, process=process, initial=initial)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            identity = None
            if d.get("last_name") and d.get("first_name") and d.get("birth_date"):
                identity = (d["last_name"], d["first_name"], d["birth_date"])
            try:
                services.voter_register(
                    user=request.user,  # type: ignore[arg-type]
                    process=process,
                    district=d["district"],
                    relation=d["relation"],
                    birth_year=d["birth_year"],
                    sex=d.get("sex", ""),
                    census_identity=identity,
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                return redirect("participation:vote", tenant=process.tenant.slug, slug=slug)
    envelopes = []
    if record is not None and not editing:
        ballots = selectors.ballots_of(record)
        envelopes = [(b, ballots.get(b.pk)) for b in budgets_for(record)]
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "participation/vote.html",
        {
            "process": process,
            "record": record,
            "form": form,
            "envelopes": envelopes,
            "vote_open": process.vote_is_open(),
        },
        status=status,
    )


@login_required
def ballot(request: HttpRequest, slug: str, budget_pk: int) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    record = selectors.voter_record(process, request.user)  # type: ignore[arg-type]
    if record is None:
        return redirect("participation:vote", tenant=process.tenant.slug, slug=slug)
    budget = next((b for b in budgets_for(record) if b.pk == budget_pk), None)
    if budget is None:
        raise Http404
    existing = selectors.ballots_of(record).get(budget.pk)
    initial = {"projects": [p.pk for p in existing.projects.all()]} if existing else {}
    form = BallotForm(request.POST or None, budget=budget, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cast = services.ballot_cast(
                voter=record,
                budget=budget,
                project_ids=[p.pk for p in form.cleaned_data["projects"]],
            )
        except ValidationError as exc:
            form.add_error("projects", _errors(exc))
        else:
            messages.success(request, _("Votre vote est enregistré."))
            return redirect(
                "participation:receipt", tenant=process.tenant.slug, slug=slug, code=cast.receipt
            )
    status = 400 if form.errors else 200
    return render(
        request,
        "participation/ballot.html",
        {
            "process": process,
            "budget": budget,
            "form": form,
            "existing": existing,
            "vote_open": process.vote_is_open(),
            "knapsack": process.ballot_kind == BallotKind.KNAPSACK,
            "projects": list(form.fields["projects"].queryset),  # type: ignore[attr-defined]
        },
        status=status,
    )


@login_required
@require_GET
def receipt(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    found = (
        Ballot.objects.for_tenant(process.tenant)
        .filter(process=process, receipt=code, voter__user=request.user.pk)
        .select_related("budget__district")
        .prefetch_related("projects")
        .first()
    )
    if found is None:
        raise Http404
    return render(request, "participation/receipt.html", {"process": process, "ballot": found})


@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    sections = selectors.published_results(process)
    # One envelope at a time keeps the page light (EcoIndex A): the town's by default.
    wanted = request.GET.get("enveloppe", "")
    shown = next((s for s in sections if str(s["budget"].pk) == wanted), None)
    shown = shown or (sections[0] if sections else None)
    if shown is not None:
        for row in shown["rows"]:
            row["explanation"] = explain_row(row, shown["run"])
    return render(
        request,
        "participation/results.html",
        {"process": process, "sections": sections, "shown": shown},
    )


@require_GET
def project_list(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    projects = selectors.realisation_projects(process)
    if not projects.exists():
        projects = selectors.ballot_projects(process)
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "participation/project_list.html", {"process": process, "page": page, "query": ""}
    )


@require_GET
def project_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    project = selectors.project_public(process, pk)
    following = (
        request.user.is_authenticated and project.followers.filter(user=request.user).exists()
    )
    return render(
        request,
        "participation/project_detail.html",
        {
            "process": process,
            "project": project,
            "milestones": project.milestones.all(),
            "ideas": project.ideas.filter(hidden=False)[:20],
            "following": following,
        },
    )


@login_required
@require_POST
def project_follow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    project = selectors.project_public(process, pk)
    now = services.project_follow(user=request.user, project=project)  # type: ignore[arg-type]
    messages.success(
        request,
        _("Vous suivez ce projet : vous serez prévenu de ses étapes.")
        if now
        else _("Vous ne suivez plus ce projet."),
    )
    return redirect("participation:project", tenant=process.tenant.slug, slug=slug, pk=pk)


@require_GET
def stats(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_public(request.tenant, slug)  # type: ignore[attr-defined]
    data = selectors.turnout(process)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="participation-{process.slug}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow([_("dimension"), _("groupe"), _("votants")])
        for dimension, rows in data.items():
            for row in rows:
                writer.writerow(
                    [
                        dimension,
                        str(row["label"]),
                        row["count"] if row["count"] is not None else "< 11",
                    ]
                )
        return response
    context: dict[str, Any] = {
        "process": process,
        "data": data,
        "themes": selectors.idea_themes(process),
        "min_group": selectors.MIN_GROUP,
    }
    return render(request, "participation/stats.html", context)
