from territoire.participation.models.consultations import (
    Consultation,
    Question,
    QuestionKind,
    Response,
)
from territoire.participation.models.ideas import Comment, Flag, Idea, IdeaStatus, Support
from territoire.participation.models.process import Budget, Phase, Process
from territoire.participation.models.projects import (
    Milestone,
    Project,
    ProjectFollow,
    ProjectStatus,
)
from territoire.participation.models.voting import (
    Ballot,
    CensusEntry,
    ResultRun,
    Verification,
    VoterRecord,
)

__all__ = [
    "Ballot",
    "Budget",
    "CensusEntry",
    "Comment",
    "Consultation",
    "Flag",
    "Idea",
    "IdeaStatus",
    "Milestone",
    "Phase",
    "Process",
    "Project",
    "ProjectFollow",
    "ProjectStatus",
    "Question",
    "QuestionKind",
    "Response",
    "ResultRun",
    "Support",
    "Verification",
    "VoterRecord",
]
