"""The period the outcomes page shows: the last 7, 30 or 90 days, or dates staff choose."""

import datetime
from urllib.parse import urlencode

from django import forms

from outcomes.reports import Period

PRESETS = {"7": 7, "30": 30, "90": 90}
DEFAULT = "30"
# A year and a day: enough for any comparison staff need, and a bounded query.
LONGEST_DAYS = 366


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label="Period",
        choices=[("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days")]
        + [("custom", "From … to …")],
        error_messages={"invalid_choice": "Choose 7, 30 or 90 days, or your own dates"},
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the first day as a date, like 2026-03-01"},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the last day as a date, like 2026-03-31"},
    )

    def __init__(self, data=None, *, today: datetime.date):
        super().__init__(data if data else {"period": DEFAULT})
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom":
            return data
        start, end = data.get("start"), data.get("end")
        if "start" in self.errors or "end" in self.errors:
            return data
        if not start:
            self.add_error("start", "Enter the first day of the period")
        if not end:
            self.add_error("end", "Enter the last day of the period")
        if start and end:
            if start > end:
                self.add_error("end", "The last day must be on or after the first day")
            elif (end - start).days + 1 > LONGEST_DAYS:
                self.add_error("end", f"Choose at most {LONGEST_DAYS} days")
        return data

    def chosen_period(self) -> Period:
        """The period asked for; call after is_valid()."""
        data = self.cleaned_data
        if data["period"] == "custom":
            return Period(data["start"], data["end"])
        days = PRESETS[data["period"]]
        return Period(self.today - datetime.timedelta(days=days - 1), self.today)

    def query(self) -> str:
        """The period as a query string, for the chart and the CSV of the same numbers."""
        data = {"period": self.cleaned_data["period"]}
        if data["period"] == "custom":
            data |= {"start": self.cleaned_data["start"], "end": self.cleaned_data["end"]}
        return urlencode(data)
