"""The site's own stylesheet, confined to the editor's live preview.

markdownx's preview sits inside the admin, whose styles would make headings, lists and calls
to action look nothing like the patient page. The site's stylesheet is nested under the
preview's selector, so it styles nothing else; the rules the page puts on the document
(`:root`'s colours, `html`, `body`) apply to the preview box itself. Inside, every element
first goes back to the browser's own styles, as on the page, and the site's rules follow.
No ORM here.
"""

import re

# Selectors that name the document itself, at the start of a selector (before `{` or `,`).
_DOCUMENT = re.compile(r"(?<![\w.#:-])(?::root|html|body)(?=\s*[,{])")
# Two ids' worth of specificity (the never-matching id only adds weight), so the site's rules
# outrank the admin's, which use at most one id.
_WEIGHT = "#scoped-page-styles#scoped-page-styles"


def scoped_stylesheet(css: str, scope: str) -> str:
    """`css` applied only to the elements matching `scope` (one CSS selector) and inside them."""
    return f":is({scope}, {_WEIGHT}) {{\n  & * {{ all: revert; }}\n{_DOCUMENT.sub('&', css)}\n}}\n"
