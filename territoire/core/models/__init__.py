from territoire.core.models.apikeys import ApiKey
from territoire.core.models.audit import AuditEntry
from territoire.core.models.notifications import Notification
from territoire.core.models.people import Membership, Role, Service, User
from territoire.core.models.tenancy import District, LocalAuthority, TenantOwned, TenantQuerySet

__all__ = [
    "ApiKey",
    "AuditEntry",
    "District",
    "LocalAuthority",
    "Membership",
    "Notification",
    "Role",
    "Service",
    "TenantOwned",
    "TenantQuerySet",
    "User",
]
