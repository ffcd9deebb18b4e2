from django.conf import settings


def site(request):
    """Values every page template needs: the clinic's name and phone, the canonical site URL."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "site_url": settings.SITE_URL,
    }
