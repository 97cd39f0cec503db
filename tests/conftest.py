"""Print the site check's measurements at the end of the pytest run."""

from site_check import SUMMARY_KEY


def pytest_terminal_summary(terminalreporter, config) -> None:
    summary = config.stash.get(SUMMARY_KEY, None)
    if not summary:
        return
    terminalreporter.write_sep("-", "site check (browser)")
    mib = 1024 * 1024
    terminalreporter.write_line(
        f"{summary['pages_checked']} pages checked in {summary['browser_seconds']} s; "
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
