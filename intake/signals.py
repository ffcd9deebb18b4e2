"""What the contact form tells other apps (outcomes counts it); intake knows none of them."""

from django.dispatch import Signal

# The form was shown (GET). Arguments: request, source (the published Article a call to
# action named, or None) and cta (that call to action's position in the article, or None).
contact_form_shown = Signal()
