"""Consultation pages: the questionnaire (works without JavaScript), results, official answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territoire.core.models import User
from territoire.core.permissions import role_required
from territoire.participation import services
from territoire.participation.models import Consultation, QuestionKind, Response
from territoire.participation.services.consultations import consultation_results

SCALE = [(str(n), str(n)) for n in range(1, 6)]


class AnswerForm(forms.Form):
    """One field per question; a ranking is one select per rank."""

    def __init__(
        self, *args: Any, consultation: Consultation, initial_answers: dict[str, Any], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.questions = list(consultation.questions.all())
        for q in self.questions:
            name = f"q{q.pk}"
            current = initial_answers.get(str(q.pk))
            options = [(c, c) for c in q.choices]
            if q.kind == QuestionKind.SINGLE:
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    choices=options,
                    widget=forms.RadioSelect,
                    required=q.required,
                    initial=current,
                )
            elif q.kind == QuestionKind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(
                    label=q.text,
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                    required=q.required,
                    initial=current,
                )
            elif q.kind == QuestionKind.SCALE:
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    choices=SCALE,
                    widget=forms.RadioSelect,
                    required=q.required,
                    initial=str(current or ""),
                    help_text=gettext_lazy("1 : pas du tout d'accord · 5 : tout à fait d'accord"),
                )
            elif q.kind == QuestionKind.RANKING:
                for k in range(len(q.choices)):
                    self.fields[f"{name}_{k}"] = forms.ChoiceField(
                        label=_("%(q)s — rang %(k)d") % {"q": q.text, "k": k + 1},
                        choices=[("", "—"), *options],
                        required=q.required,
                        initial=current[k]
                        if isinstance(current, list) and k < len(current)
                        else "",
                    )
            else:
                self.fields[name] = forms.CharField(
                    label=q.text,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    max_length=2000,
                    required=q.required,
                    initial=current,
                )

    def answers(self) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for q in self.questions:
            name = f"q{q.pk}"
            if q.kind == QuestionKind.RANKING:
                out[q.pk] = [self.cleaned_data.get(f"{name}_{k}") for k in range(len(q.choices))]
                if not any(out[q.pk]):
                    out[q.pk] = []
            else:
                out[q.pk] = self.cleaned_data.get(name)
        return out


def _consultation(request: HttpRequest, slug: str) -> Consultation:
    found = Consultation.objects.for_tenant(request.tenant).filter(slug=slug).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


def consultation_list(request: HttpRequest) -> HttpResponse:
    items = Consultation.objects.for_tenant(request.tenant)  # type: ignore[attr-defined]
    return render(request, "participation/consultation_list.html", {"consultations": items})


def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    mine = None
    if request.user.is_authenticated:
        mine = Response.objects.filter(consultation=consultation, user_id=request.user.pk).first()
    form = None
    if consultation.is_open() and request.user.is_authenticated:
        form = AnswerForm(
            request.POST or None,
            consultation=consultation,
            initial_answers=mine.answers if mine else {},
        )
        if request.method == "POST" and form.is_valid():
            try:
                user: User = request.user  # type: ignore[assignment]
                services.consultation_respond(
                    user=user, consultation=consultation, answers=form.answers()
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _(
                        "Merci, vos réponses sont enregistrées. "
                        "Vous pouvez les modifier jusqu'à la clôture."
                    ),
                )
                return redirect(request.path)
    elif request.method == "POST":
        messages.error(request, _("Cette consultation n'est pas ouverte."))
    return render(
        request,
        "participation/consultation_detail.html",
        {
            "consultation": consultation,
            "form": form,
            "answered": mine is not None,
            "results": consultation_results(consultation) if not consultation.is_open() else None,
            "respondents": consultation.responses.count(),
        },
        status=400 if form is not None and form.errors else 200,
    )


class OfficialAnswerForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Réponse officielle (publique)"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )


@role_required({"elected", "admin"})
def consultation_manage(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    form = OfficialAnswerForm(request.POST or None, initial={"text": consultation.official_answer})
    if request.method == "POST" and form.is_valid():
        try:
            actor: User = request.user  # type: ignore[assignment]
            services.consultation_answer(
                actor=actor, consultation=consultation, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_error("text", " ".join(exc.messages))
        else:
            messages.success(request, _("Réponse officielle publiée."))
            return redirect(request.path)
    return render(
        request,
        "participation/staff/consultation.html",
        {
            "consultation": consultation,
            "form": form,
            "results": consultation_results(consultation),
            "respondents": consultation.responses.count(),
        },
        status=400 if form.errors else 200,
    )
