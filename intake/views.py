from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def contact(request):
    """PLACEHOLDER allowed by the article issue (#2): the intake issue (#3) replaces it with the
    real form. Until then it tells a patient how to reach the clinic by phone."""
    return render(request, "intake/contact_placeholder.html")
