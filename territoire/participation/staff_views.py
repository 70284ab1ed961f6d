"""Back-office: processes and phases, the study of ideas, counter, census, results, follow-up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from territoire.core.listing import Column, Filter, Listing
from territoire.core.models import District, User
from territoire.core.permissions import staff_required
from territoire.participation import selectors, services
from territoire.participation.forms import (
    AnswerForm,
    BudgetForm,
    CensusForm,
    CounterForm,
    MergeForm,
    MilestoneForm,
    ModerationForm,
    PhaseForm,
    ProcessForm,
    ProgressForm,
    StatusForm,
    VerifyForm,
)
from territoire.participation.models import Comment, Idea, IdeaStatus, Phase, Process, Project
from territoire.participation.models.projects import PROJECT_TRANSITIONS, ProjectStatus
from territoire.participation.services.results import latest_runs


def _user(request: HttpRequest) -> User:
    """The signed-in staff member (the decorators guarantee one)."""
    return request.user  # type: ignore[return-value]


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _back(process: Process, name: str = "participation_staff:process", **kw: Any) -> HttpResponse:
    return redirect(name, tenant=process.tenant.slug, slug=process.slug, **kw)


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = Listing(
        queryset=Process.objects.for_tenant(tenant).annotate(n_ideas=Count("ideas", distinct=True)),
        columns=[
            Column(gettext_lazy("Titre"), lambda p: p.title, sort="title"),
            Column(gettext_lazy("Phase"), lambda p: p.get_phase_display(), sort="phase"),
            Column(gettext_lazy("Idées"), lambda p: p.n_ideas, sort="n_ideas"),
            Column(gettext_lazy("Créé le"), lambda p: p.created.date(), sort="created"),
        ],
        filters=[
            Filter(
                "phase",
                gettext_lazy("Phase"),
                "phase",
                choices=list(Phase.choices),
            )
        ],
        search_fields=["title"],
        default_sort="-created",
        filename="budgets-participatifs",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    _page, context = listing.page(request)
    return render(request, "participation/staff/home.html", context)


@staff_required
def process_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    process = selectors.process_staff(tenant, slug) if slug else None
    form = ProcessForm(request.POST or None, instance=process)
    if request.method == "POST" and form.is_valid():
        try:
            if process is None:
                data = dict(form.cleaned_data)
                title = data.pop("title")
                process = services.process_create(
                    actor=_user(request), tenant=tenant, title=title, **data
                )
            else:
                form.save()
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Budget participatif enregistré."))
            return _back(process)
    return render(
        request,
        "participation/staff/process_form.html",
        {"form": form, "process": process},
        status=400 if form.errors else 200,
    )


@staff_required
def process_manage(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    runs = latest_runs(process)
    return render(
        request,
        "participation/staff/process.html",
        {
            "process": process,
            "phase": process.current_phase(),
            "phase_form": PhaseForm(),
            "budget_form": BudgetForm(tenant=process.tenant),
            "budgets": process.budgets.select_related("district").annotate(
                n_ballots=Count("ballots")
            ),
            "answers": selectors.answer_rate(process),
            "runs": runs,
            "published": any(r.published for r in runs),
            "flags": Idea.objects.for_tenant(process.tenant)
            .filter(process=process, hidden=True)
            .count(),
        },
    )


@staff_required
@require_POST
def process_phase(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            services.process_set_phase(
                actor=_user(request),
                process=process,
                phase=form.cleaned_data["phase"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Phase modifiée."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _("Phase inconnue."))
    return _back(process)


@staff_required
@require_POST
def budget_save(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    form = BudgetForm(request.POST, tenant=process.tenant)
    if form.is_valid():
        try:
            services.budget_save(
                actor=_user(request),
                process=process,
                amount=form.cleaned_data["amount"],
                district=form.cleaned_data["district"],
            )
            messages.success(request, _("Enveloppe enregistrée."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _("Montant invalide."))
    return _back(process)


@staff_required
@require_POST
def results_compute(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    try:
        services.results_compute(actor=_user(request), process=process)
        messages.success(request, _("Résultats calculés : vérifiez-les avant de les publier."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return _back(process)


@staff_required
@require_POST
def results_publish(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    try:
        services.results_publish(actor=_user(request), process=process)
        messages.success(request, _("Résultats publiés."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return _back(process)


@staff_required
def ideas(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    districts = [(str(d.pk), d.name) for d in District.objects.for_tenant(process.tenant)]
    listing = Listing(
        queryset=Idea.objects.for_tenant(process.tenant)
        .filter(process=process)
        .select_related("district", "service"),
        columns=[
            Column(gettext_lazy("Titre"), lambda i: i.title, sort="title"),
            Column(
                gettext_lazy("Quartier"),
                lambda i: i.district or _("Toute la commune"),
                sort="district__name",
            ),
            Column(gettext_lazy("Statut"), lambda i: i.get_status_display(), sort="status"),
            Column(gettext_lazy("Soutiens"), lambda i: i.supports_count, sort="supports_count"),
            Column(
                gettext_lazy("Coût estimé"),
                lambda i: i.study_cost or i.estimated_cost or "",
                sort="estimated_cost",
            ),
            Column(gettext_lazy("Service"), lambda i: i.service or ""),
            Column(gettext_lazy("Déposée le"), lambda i: i.created.date(), sort="created"),
        ],
        filters=[
            Filter("status", gettext_lazy("Statut"), "status", choices=list(IdeaStatus.choices)),
            Filter("district", gettext_lazy("Quartier"), "district_id", choices=districts),
        ],
        search_fields=["title", "description"],
        default_sort="-created",
        filename="idees",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    merge_form = MergeForm(process=process)
    if request.method == "POST":
        merge_form = MergeForm(request.POST, process=process)
        chosen = [int(v) for v in request.POST.getlist("ideas") if v.isdigit()]
        selected = list(
            Idea.objects.for_tenant(process.tenant).filter(process=process, pk__in=chosen)
        )
        if not selected:
            merge_form.add_error(None, _("Cochez au moins une idée à regrouper."))
        elif merge_form.is_valid():
            d = merge_form.cleaned_data
            try:
                from django.db import transaction

                with transaction.atomic():
                    project = services.project_create(
                        actor=_user(request),
                        process=process,
                        budget=d["budget"],
                        title=d["title"],
                        description=d["description"],
                        cost=d["cost"],
                        service=d["service"],
                        category=d["category"],
                        lon=selected[0].lon,
                        lat=selected[0].lat,
                    )
                    services.idea_merge(
                        actor=_user(request), ideas=selected, project=project, answer=d["answer"]
                    )
            except ValidationError as exc:
                merge_form.add_error(None, _errors(exc))
            else:
                messages.success(
                    request, _("Idées regroupées dans le projet « %(t)s ».") % {"t": project.title}
                )
                return redirect(request.get_full_path())
    _page, context = listing.page(request)
    context.update({"process": process, "merge_form": merge_form})
    return render(
        request, "participation/staff/ideas.html", context, status=400 if merge_form.errors else 200
    )


@staff_required
def idea_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    idea = Idea.objects.for_tenant(process.tenant).filter(process=process, pk=pk).first()
    if idea is None:
        raise Http404
    initial = {
        "status": idea.status,
        "answer": idea.answer,
        "study_cost": idea.study_cost,
        "service": idea.service_id,
    }
    form = AnswerForm(request.POST or None, tenant=process.tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.idea_answer(
                actor=_user(request),
                idea=idea,
                status=d["status"],
                answer=d["answer"],
                study_cost=d["study_cost"],
                service=d["service"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Réponse publiée ; l'auteur est prévenu."))
            return _back(process, "participation_staff:ideas")
    return render(
        request,
        "participation/staff/idea_answer.html",
        {"process": process, "idea": idea, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required
def projects(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    listing = Listing(
        queryset=Project.objects.for_tenant(process.tenant)
        .filter(process=process)
        .select_related("budget__district")
        .annotate(n_votes=Count("ballots")),
        columns=[
            Column(gettext_lazy("Titre"), lambda p: p.title, sort="title"),
            Column(gettext_lazy("Enveloppe"), lambda p: p.budget, sort="budget__district__name"),
            Column(gettext_lazy("Coût (€)"), lambda p: p.cost, sort="cost"),
            Column(gettext_lazy("Voix"), lambda p: p.n_votes, sort="n_votes"),
            Column(gettext_lazy("Statut"), lambda p: p.get_status_display(), sort="status"),
            Column(gettext_lazy("Avancement (%)"), lambda p: p.progress, sort="progress"),
        ],
        filters=[
            Filter("status", gettext_lazy("Statut"), "status", choices=list(ProjectStatus.choices))
        ],
        search_fields=["title"],
        default_sort="title",
        filename="projets",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    _page, context = listing.page(request)
    context["process"] = process
    return render(request, "participation/staff/projects.html", context)


@staff_required
def project_manage(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    project = Project.objects.for_tenant(process.tenant).filter(process=process, pk=pk).first()
    if project is None:
        raise Http404
    status_form = StatusForm()
    status_form.fields["status"].choices = [  # type: ignore[attr-defined]
        (s, ProjectStatus(s).label) for s in PROJECT_TRANSITIONS[project.status]
    ]
    forms: dict[str, Form] = {
        "progress": ProgressForm(initial={"progress": project.progress}),
        "status": status_form,
        "milestone": MilestoneForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        f: Form
        try:
            if action == "progress":
                f = ProgressForm(request.POST)
                if f.is_valid():
                    services.project_update_progress(
                        actor=_user(request), project=project, progress=f.cleaned_data["progress"]
                    )
                forms["progress"] = f
            elif action == "status":
                f = StatusForm(request.POST)
                f.fields["status"].choices = status_form.fields["status"].choices  # type: ignore[attr-defined]
                if f.is_valid():
                    services.project_set_status(
                        actor=_user(request),
                        project=project,
                        status=f.cleaned_data["status"],
                        reason=f.cleaned_data["reason"],
                    )
                forms["status"] = f
            elif action == "milestone":
                f = MilestoneForm(request.POST)
                if f.is_valid():
                    d = f.cleaned_data
                    services.milestone_add(
                        actor=_user(request),
                        project=project,
                        when=d["when"],
                        title=d["title"],
                        description=d["description"],
                        done=d["done"],
                    )
                forms["milestone"] = f
            else:
                raise ValidationError(_("Action inconnue."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            if not any(f.errors for f in forms.values()):
                messages.success(request, _("Projet mis à jour."))
                return redirect(request.get_full_path())
    return render(
        request,
        "participation/staff/project.html",
        {
            "process": process,
            "project": project,
            "forms": forms,
            "milestones": project.milestones.all(),
        },
        status=400 if any(f.errors for f in forms.values()) else 200,
    )


@staff_required
def census(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    form = CensusForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.census_import(
                actor=_user(request), process=process, data=form.cleaned_data["file"].read()
            )
        except ValidationError as exc:
            form.add_error("file", _errors(exc))
        else:
            if not report.errors:
                messages.success(
                    request,
                    _("%(n)d personnes ajoutées à la liste (%(d)d déjà présentes).")
                    % {"n": report.created, "d": report.duplicates},
                )
    status = 400 if form.errors or (report and report.errors) else 200
    return render(
        request,
        "participation/staff/census.html",
        {"process": process, "form": form, "report": report, "count": process.census.count()},
        status=status,
    )


@staff_required
def counter(request: HttpRequest, slug: str) -> HttpResponse:
    """The counter: enter a paper ballot, help someone vote, or verify an account."""
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    action = request.POST.get("action") if request.method == "POST" else None
    ballot_form = CounterForm(
        request.POST if action == "ballot" else None, process=process, prefix="b"
    )
    verify_form = VerifyForm(
        request.POST if action == "verify" else None, process=process, prefix="v"
    )
    if action == "ballot" and ballot_form.is_valid():
        d = ballot_form.cleaned_data
        try:
            cast = services.counter_ballot(
                agent=_user(request),
                process=process,
                budget=d["budget"],
                last_name=d["last_name"],
                first_name=d["first_name"],
                birth_date=d["birth_date"],
                district=d["district"],
                relation=d["relation"],
                sex=d["sex"],
                project_ids=[p.pk for p in d["projects"]],
                channel=d["channel"],
            )
        except ValidationError as exc:
            ballot_form.add_error(None, _errors(exc))
        else:
            messages.success(
                request, _("Bulletin enregistré. Récépissé : %(r)s") % {"r": cast.receipt}
            )
            return redirect(request.path)
    if action == "verify" and verify_form.is_valid():
        d = verify_form.cleaned_data
        user = User.objects.filter(email=d["email"].strip().lower()).first()
        if user is None:
            verify_form.add_error("email", _("Aucun compte avec cette adresse."))
        else:
            try:
                services.voter_verify_at_counter(
                    agent=_user(request),
                    process=process,
                    user=user,
                    last_name=d["last_name"],
                    first_name=d["first_name"],
                    birth_date=d["birth_date"],
                    district=d["district"],
                    relation=d["relation"],
                    sex=d["sex"],
                )
            except ValidationError as exc:
                verify_form.add_error(None, _errors(exc))
            else:
                messages.success(
                    request, _("Identité vérifiée : cette personne peut voter en ligne.")
                )
                return redirect(request.path)
    status = 400 if ballot_form.errors or verify_form.errors else 200
    return render(
        request,
        "participation/staff/counter.html",
        {"process": process, "ballot_form": ballot_form, "verify_form": verify_form},
        status=status,
    )


@staff_required
def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_staff(request.tenant, slug)  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ModerationForm(request.POST)
        kind, pk = request.POST.get("kind"), request.POST.get("pk", "")
        target: Idea | Comment | None = None
        if kind == "idea" and pk.isdigit():
            target = Idea.objects.for_tenant(process.tenant).filter(pk=int(pk)).first()
        elif kind == "comment" and pk.isdigit():
            target = Comment.objects.for_tenant(process.tenant).filter(pk=int(pk)).first()
        if target is None:
            raise Http404
        if form.is_valid():
            try:
                services.moderation_set_hidden(
                    actor=_user(request),
                    target=target,
                    hidden=request.POST.get("hide") == "1",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, _("Décision de modération enregistrée."))
        else:
            messages.error(request, _("Indiquez le motif de la décision de modération."))
        return redirect(request.path)
    flagged_ideas = (
        Idea.objects.for_tenant(process.tenant)
        .filter(process=process)
        .annotate(n_flags=Count("flag", filter=Q(flag__reviewed=False)))
        .filter(Q(n_flags__gt=0) | Q(hidden=True))
    )
    flagged_comments = (
        Comment.objects.for_tenant(process.tenant)
        .filter(idea__process=process)
        .annotate(n_flags=Count("flag", filter=Q(flag__reviewed=False)))
        .filter(Q(n_flags__gt=0) | Q(hidden=True))
        .select_related("idea")
    )
    return render(
        request,
        "participation/staff/moderation.html",
        {
            "process": process,
            "ideas": flagged_ideas[:100],
            "comments": flagged_comments[:100],
            "form": ModerationForm(),
        },
    )
