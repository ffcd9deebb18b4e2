from django import template

from outcomes.reports import shown

register = template.Library()
# A count as staff see it: "fewer than 5" below five (outcomes.reports.SMALLEST_SHOWN).
register.filter("shown", shown)
