"""The browser shared by the site checks, and their measurements at the end of the run."""

import pytest
from site_check import CHROMIUM_ARGS, PDF_SUMMARY_KEY, SUMMARY_KEY, find_chromium


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless system Chromium with a fresh profile, driven by Playwright."""
    try:
        chromium = find_chromium()
    except FileNotFoundError as err:
        pytest.fail(str(err), pytrace=False)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def pytest_terminal_summary(terminalreporter, config) -> None:
    pdf = config.stash.get(PDF_SUMMARY_KEY, None)
    if pdf:
        terminalreporter.write_sep("-", "PDF")
        terminalreporter.write_line(
            f"{pdf['pdf']}: {pdf['pages']} pages, {pdf['bytes'] / 1024 / 1024:.1f} MiB"
        )
    summary = config.stash.get(SUMMARY_KEY, None)
    if not summary:
        return
    terminalreporter.write_sep("-", "site check (browser)")
    mib = 1024 * 1024
    terminalreporter.write_line(
        f"{summary['pages_checked']} pages checked in {summary['browser_seconds']} s "
        f"(of which {summary['accessibility_seconds']} s for both themes' checks and axe-core); "
        f"{summary['math_typeset']} equations typeset ({summary['math_elements']} math elements), "
        f"{summary['mathjax_errors']} MathJax errors; {summary['external_requests']} requests "
        f"to other hosts; {summary['failed_responses']} failed responses; "
        f"{summary['console_errors']} console errors "
        f"(+{summary['ignored_console_errors']} known THEBE_JS_URL); "
        f"{summary['content_images']} content images"
    )
    axe = summary.get("axe_violations", {})
    for theme, impacts in axe.items():
        counts = ", ".join(
            f"{n['violations']} {impact} ({n['elements']} elements)"
            for impact, n in impacts.items()
        )
        terminalreporter.write_line(
            f"axe-core, {theme} theme: {summary['axe_rules_run']} rules run; violations: "
            f"{counts}; {summary['math_checked'][theme]} equations visible"
        )
    terminalreporter.write_line(
        f"site {summary['site_bytes'] / mib:.1f} MiB, of which MathJax "
        f"{summary['mathjax_bytes'] / mib:.1f} MiB; screenshot: {summary['screenshot']}"
    )
