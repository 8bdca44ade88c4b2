"""The portal (DESIGN.md §7): server-rendered pages over the service, for customers, suppliers
and the provider's staff, served by ``accord serve`` at ``/`` beside the API.

    create_site(settings, engine)   the API and the portal as one application
"""

from accord.portal.site import create_site

__all__ = ["create_site"]
